app_name = "seals"

urlpatterns = []
