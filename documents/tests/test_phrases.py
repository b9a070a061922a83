"""常用批示语: the office's, then each person's own list, which they keep on 我的常用批示语."""

import re

import pytest
from django.urls import reverse

from township_office.forms import MAX_PHRASE_LENGTH, MAX_PHRASES

URL = reverse("township_office:my_phrases")


def phrases_offered(client, document, step=""):
    """The phrases offered on the record's page (with ``step``'s form unfolded, when the page offers several)."""
    page = client.get(document.get_absolute_url() + (f"?step={step}" if step else "")).content.decode()
    return re.findall(r'data-phrase="([^"]*)"', page)


def test_a_leaders_own_phrases_follow_the_offices_on_the_instruction(client_for, routed, deputy, principal):
    deputy.phrases = ["请×××同志牵头落实", "已阅，按程序办理"]
    deputy.save(update_fields=["phrases"])
    assert phrases_offered(client_for(deputy), routed) == [
        "同意",
        "已阅",
        "请×××阅处",
        "按程序办理",
        "请×××同志牵头落实",
        "已阅，按程序办理",
    ]
    # Another person's list is their own: the principal leader's page does not show the deputy's.
    assert "请×××同志牵头落实" not in client_for(principal).get(URL).content.decode()


def test_own_phrases_are_offered_on_the_opinions_of_an_outgoing_draft(client_for, drafted, deputy):
    deputy.phrases = ["同意，请办公室按程序印发"]
    deputy.save(update_fields=["phrases"])
    offered = phrases_offered(client_for(deputy), drafted, "review")
    assert offered[-1] == "同意，请办公室按程序印发" and offered[0] == "同意"


def test_saving_the_list_keeps_it_in_order_without_blanks_or_repeats(client_for, deputy):
    client = client_for(deputy)
    response = client.post(URL, {"phrases": "请×××同志牵头落实\n\n  已阅，按程序办理 \n同意\n请×××同志牵头落实\n"})
    assert response.status_code == 302
    deputy.refresh_from_db()
    # 同意 is the office's own, offered anyway; the repeat is kept once.
    assert deputy.phrases == ["请×××同志牵头落实", "已阅，按程序办理"]
    page = client.get(URL).content.decode()
    assert "已保存，共 2 条。" in page
    assert "请×××同志牵头落实\n已阅，按程序办理</textarea>" in page


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("同意\n" + "很" * (MAX_PHRASE_LENGTH + 1), f"第 2 行超过 {MAX_PHRASE_LENGTH} 个字"),
        ("\n".join(f"常用语{n}" for n in range(MAX_PHRASES + 1)), f"最多 {MAX_PHRASES} 条，现有 {MAX_PHRASES + 1} 条"),
    ],
)
def test_a_list_too_long_is_refused_with_the_reason_and_kept(client_for, deputy, text, error):
    deputy.phrases = ["原有的一条"]
    deputy.save(update_fields=["phrases"])
    response = client_for(deputy).post(URL, {"phrases": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert text.splitlines()[-1] in page  # what was typed is still in the box
    deputy.refresh_from_db()
    assert deputy.phrases == ["原有的一条"]


def test_each_person_edits_only_their_own_list(client_for, deputy, principal):
    deputy.phrases = ["陈刚的常用语"]
    deputy.save(update_fields=["phrases"])
    client_for(principal).post(URL, {"phrases": "王建国的常用语"})
    deputy.refresh_from_db()
    principal.refresh_from_db()
    assert deputy.phrases == ["陈刚的常用语"] and principal.phrases == ["王建国的常用语"]


def test_signed_out_the_page_asks_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_instruction_links_to_the_list(client_for, routed, deputy):
    page = client_for(deputy).get(routed.get_absolute_url()).content.decode()
    assert f'href="{URL}"' in page and "编辑我的常用语" in page


def phrases_of(page, field_id):
    """The phrases offered above one opinion box of the page (by the box's id)."""
    block = page.split(f'data-phrases-for="{field_id}"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'data-phrase="([^"]*)"', block)


def test_the_proposal_offers_its_phrases_then_the_directors_own(client_for, register, office_director):
    from documents.forms import PROPOSAL_PHRASES

    office_director.phrases = ["拟请农业农村办牵头办理"]
    office_director.save(update_fields=["phrases"])
    page = client_for(office_director).get(register().get_absolute_url() + "?step=propose").content.decode()
    assert phrases_of(page, "id_propose-proposal") == [*PROPOSAL_PHRASES, "拟请农业农村办牵头办理"]
    assert 'name="propose-proposal"' in page and "township_office/js/phrases.js" in page


def test_the_reading_comment_offers_its_phrases(client_for, routed, principal):
    from documents.forms import READ_PHRASES

    page = client_for(principal).get(routed.get_absolute_url()).content.decode()
    assert phrases_of(page, "id_mark_read-comment") == list(READ_PHRASES)


def test_the_countersign_offers_its_phrases_and_still_needs_an_opinion(
    client_for, drafted, staff, deputy, office_director, resources_staff, departments
):
    from documents import workflow
    from documents.forms import COUNTERSIGN_PHRASES

    drafted.countersign_departments.set([departments["自然资源所"]])
    workflow.review(drafted, by=deputy, text="同意")
    workflow.check(drafted, by=office_director, text="请会签")
    client = client_for(resources_staff)
    page = client.get(drafted.get_absolute_url()).content.decode()
    assert phrases_of(page, "id_countersign-text") == list(COUNTERSIGN_PHRASES)
    response = client.post(
        reverse("documents:outgoing_step", args=[drafted.code, "countersign"]), {"countersign-text": ""}
    )
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    drafted.refresh_from_db()
    assert drafted.status == drafted.Status.COUNTERSIGN
