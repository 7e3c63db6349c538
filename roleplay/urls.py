from django.urls import path

from . import views
from .api import api

urlpatterns = [
    path("api/roleplay/", api.urls),
    path("roleplay/", views.scenario_list, name="roleplay_scenarios"),
    path("roleplay/scenarios/<slug:slug>/", views.scenario_detail, name="roleplay_scenario"),
    path("roleplay/scenarios/<slug:slug>/start/", views.start, name="roleplay_start"),
    path("roleplay/sessions/<id:session_id>/", views.play, name="roleplay_play"),
    path("roleplay/sessions/<id:session_id>/debrief/", views.debrief, name="roleplay_debrief"),
    path("roleplay/sessions/<id:session_id>/branch/", views.branch, name="roleplay_branch"),
    path("roleplay/sessions/<id:session_id>/peer/", views.peer, name="roleplay_peer"),
    path("roleplay/sessions/<id:session_id>/status/", views.peer_status, name="roleplay_status"),
    path("roleplay/peer/<str:code>/observer/done/", views.peer_done, name="roleplay_peer_done"),
    path("roleplay/peer/<str:code>/<str:role>/", views.peer_join, name="roleplay_peer_join"),
    path("trainer/roleplay/", views.trainer_sessions, name="trainer_roleplay"),
]
