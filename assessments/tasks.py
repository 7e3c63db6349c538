"""Background tasks (django-tasks): settings.TASKS says where they run (DESIGN §4)."""

from django_tasks import task

from . import judging


@task()
def judge_with_model(judgement_pk: int) -> str:
    """Ask the configured model to judge a session; see `judging.run_model_judge`."""
    return judging.run_model_judge(judgement_pk)
