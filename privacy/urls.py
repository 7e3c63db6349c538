from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.notice, name="notice"),
    path("me/privacy/", views.my_privacy, name="mine"),
    path("me/privacy/export/", views.my_export, name="my_export"),
    path("me/privacy/delete/", views.my_deletion, name="my_deletion"),
    path("roleplay/notice/", views.practice_notice, name="practice_notice"),
    path("trainer/privacy/users/<id:user_id>/", views.user_privacy, name="user"),
    path("trainer/privacy/users/<id:user_id>/export/", views.user_export, name="user_export"),
    path("trainer/privacy/users/<id:user_id>/delete/", views.user_deletion, name="user_deletion"),
]
