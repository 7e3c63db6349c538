from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.learner_home, name="home"),
    path("me/journal/", views.journal, name="journal"),
    path("me/hours/<id:course_id>/", views.my_hours, name="my_hours"),
    path(
        "me/invitations/<id:invitation_id>/",
        views.answer_invitation,
        name="answer_invitation",
    ),
    # The token is signed and dated (services.invitation_token); it names no person.
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("courses/<id:course_id>/enrol/", views.enrol, name="enrol"),
    path("lessons/<id:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"),
    path(
        "lessons/<id:lesson_id>/reflections/<str:block_id>/",
        views.save_reflection,
        name="save_reflection",
    ),
    path("trainer/", views.trainer_cohorts, name="trainer_cohorts"),
    path("trainer/cohorts/<id:cohort_id>/", views.cohort_dashboard, name="cohort_dashboard"),
    path("trainer/cohorts/<id:cohort_id>/progress.csv", views.cohort_export, name="cohort_export"),
    path("trainer/cohorts/<id:cohort_id>/roster/", views.roster, name="roster"),
    path(
        "trainer/cohorts/<id:cohort_id>/invitations/send/",
        views.send_invitations,
        name="send_invitations",
    ),
    path("trainer/sessions/<id:session_id>/attendance/", views.attendance, name="attendance"),
    path(
        "trainer/enrollments/<id:enrollment_id>/hours/",
        views.trainee_ledger,
        name="trainee_ledger",
    ),
    path("trainer/entries/<id:entry_id>/correct/", views.correct_entry, name="correct_entry"),
    path(
        "trainer/invitations/<id:invitation_id>/confirm/",
        views.confirm_invitation,
        name="confirm_invitation",
    ),
]
