from django.contrib import admin

from .models import MeetingRoom


@admin.register(MeetingRoom)
class MeetingRoomAdmin(admin.ModelAdmin):
    list_display = ["name", "capacity", "is_active"]
