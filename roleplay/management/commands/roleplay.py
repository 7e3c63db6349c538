import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from roleplay import services
from roleplay.models import Mode, Scenario
from roleplay.replies import Reply


class Command(BaseCommand):
    help = """Play a scenario in the terminal, to try out a script while writing it.

At each turn type the number of a choice, or your own words (matched to the nearest choice in
scripted mode, sent to the AI partner in llm mode). Type :state to see the state variables,
:retry to ask again for a pending AI reply, :quit to stop. Nothing is kept: the session, its
turns and any practice hours are rolled back when the command ends. Drafts can be played too,
from their latest saved version."""

    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The scenario's slug.")
        parser.add_argument("--mode", choices=[Mode.SCRIPTED, Mode.LLM], default=Mode.SCRIPTED)
        parser.add_argument(
            "--user", help="Play as this user (default: the first superuser or org admin)."
        )

    def handle(self, *args, **options):
        scenario = Scenario.objects.filter(slug=options["slug"]).first()
        if scenario is None:
            raise CommandError(f"No scenario with the slug {options['slug']!r}.")
        user = self.player(options["user"])
        self.stdin = options.get("stdin") or sys.stdin
        with transaction.atomic():
            live = scenario.live
            scenario.live = True  # authors try drafts too; nothing here is kept
            try:
                session = services.start_session(user, scenario, options["mode"])
            except services.PracticeError as exc:
                raise CommandError(exc.message) from None
            scenario.live = live
            self.play(session)
            transaction.set_rollback(True)

    def player(self, username):
        users = get_user_model().objects
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
            return user
        user = (
            users.filter(is_superuser=True).first() or users.filter(groups__name="管理者").first()
        )
        if user is None:
            raise CommandError("No user to play as: run manage.py seed_demo or pass --user.")
        return user

    def play(self, session):
        data = session.scenario_data
        self.stdout.write(f"== {data['title']} ({session.get_mode_display()}) ==")
        self.stdout.write(data["brief"].strip())
        self.say(data["persona"]["name"], session.turns.get().text)
        while session.is_active:
            choices = self.show_choices(session)
            line = self.ask()
            if line is None or line == ":quit":
                break
            if line == ":state":
                self.stdout.write(str(session.state))
                continue
            try:
                if line == ":retry":
                    reply = services.retry(session)
                else:
                    submitted = services.submit(session, **self.turn(line, choices))
                    if submitted.matched:
                        self.stdout.write(f"  (you chose: {submitted.matched.text})")
                    if submitted.notice:
                        self.stdout.write(f"  ({submitted.notice})")
                    reply = submitted.reply
                self.stream(data["persona"]["name"], reply)
            except services.PracticeError as exc:
                self.stderr.write(exc.message)
            session.refresh_from_db()
        session.refresh_from_db()
        ending = session.ending_node
        if ending is not None:
            self.stdout.write(f"== ending: {ending.ending} — {ending.summary} ==")
        self.stdout.write(f"state: {session.state}")

    def turn(self, line: str, choices) -> dict:
        """A number picks a choice; anything else is said in the learner's own words."""
        if not (line.isdigit() and choices):
            return {"text": line}
        if not 0 < int(line) <= len(choices):
            raise services.PracticeError(f"Choose 1–{len(choices)}.")
        return {"choice": choices[int(line) - 1].id}

    def show_choices(self, session):
        node = session.current_node()
        if session.mode != Mode.SCRIPTED or node is None:
            return []
        choices = node.available(session.state)
        for number, choice in enumerate(choices, start=1):
            self.stdout.write(f"  {number}. {choice.text}")
        return choices

    def ask(self):
        self.stdout.write("> ", ending="")
        self.stdout.flush()
        line = self.stdin.readline()
        return line.strip() if line else None

    def say(self, name, text):
        self.stdout.write(f"{name}: {text}")

    def stream(self, name, reply: Reply):
        self.stdout.write(f"{name}: ", ending="")
        for text in reply:
            self.stdout.write(text, ending="")
            self.stdout.flush()
        self.stdout.write("")
        if reply.turn.pending:
            self.stdout.write(f"  (no reply: {reply.turn.error}; type :retry)")
