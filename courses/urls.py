from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.learner_home, name="home"),
    path("me/journal/", views.journal, name="journal"),
    path("me/hours/<int:course_id>/", views.my_hours, name="my_hours"),
    path("courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("lessons/<int:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"),
    path(
        "lessons/<int:lesson_id>/reflections/<str:block_id>/",
        views.save_reflection,
        name="save_reflection",
    ),
    path("trainer/", views.trainer_cohorts, name="trainer_cohorts"),
    path("trainer/cohorts/<int:cohort_id>/", views.cohort_dashboard, name="cohort_dashboard"),
    path("trainer/cohorts/<int:cohort_id>/progress.csv", views.cohort_export, name="cohort_export"),
    path("trainer/cohorts/<int:cohort_id>/roster/", views.roster, name="roster"),
    path(
        "trainer/cohorts/<int:cohort_id>/invitations/send/",
        views.send_invitations,
        name="send_invitations",
    ),
    path("trainer/sessions/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path(
        "trainer/enrollments/<int:enrollment_id>/hours/",
        views.trainee_ledger,
        name="trainee_ledger",
    ),
    path("trainer/entries/<int:entry_id>/correct/", views.correct_entry, name="correct_entry"),
]
