from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Judge every ended role-play session and add the judgements to its debrief; renew
        certificates when a follow-up course's hours are complete."""
        from django.db.models.signals import post_save

        from roleplay.debrief import debrief_sections
        from roleplay.signals import session_ended

        from . import certification, receivers

        session_ended.connect(receivers.judge_ended_session, dispatch_uid="assessments.judge")
        post_save.connect(
            certification.renew_on_credit,
            sender="courses.HoursEntry",
            dispatch_uid="assessments.renew_on_credit",
        )
        if receivers.judgement_section not in debrief_sections:
            debrief_sections.append(receivers.judgement_section)
