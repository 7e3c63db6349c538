"""StreamField blocks for authoring a scenario's state, script and model lines in Wagtail.

Effects and scores are typed as short text (`trust +10, openness -5`) because a form row per
number makes a twelve-node script unreadable; `Scenario.clean` parses and checks every one.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import blocks

from .scripts import ENDING_KINDS

# The same words the learner's debrief uses for each kind of ending.
ENDING_LABELS = {
    "good": _("A good ending"),
    "mixed": _("A partly successful ending"),
    "poor": _("A difficult ending"),
}


class StateVariableBlock(blocks.StructBlock):
    key = blocks.RegexBlock(
        regex=r"^[a-z][a-z0-9_]*$",
        label=_("Key"),
        help_text=_("e.g. trust, openness"),
        error_messages={"invalid": _("Use lower-case letters, digits and _.")},
    )
    label = blocks.CharBlock(
        max_length=40, label=_("Label"), help_text=_("Shown to the learner, e.g. 信頼")
    )
    initial = blocks.IntegerBlock(default=50, label=_("Initial value"))
    minimum = blocks.IntegerBlock(default=0, label=_("Minimum"))
    maximum = blocks.IntegerBlock(default=100, label=_("Maximum"))

    class Meta:
        icon = "sliders"
        label = _("State variable")
        template = "roleplay/blocks/state_variable.html"
        description = _("A value the conversation moves, such as trust (信頼).")


class EndRuleBlock(blocks.StructBlock):
    condition = blocks.CharBlock(
        max_length=120, label=_("Condition"), help_text=_("e.g. trust <= 10")
    )
    goto = blocks.CharBlock(
        max_length=60, label=_("Go to"), help_text=_("The ending node to jump to.")
    )

    class Meta:
        icon = "cross"
        label = _("End when")
        template = "roleplay/blocks/end_rule.html"
        description = _("Ends the conversation early when the state reaches a threshold.")


class ChoiceBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=60, label=_("choice id"))
    text = blocks.TextBlock(label=_("what the learner says"))
    next = blocks.CharBlock(max_length=60, label=_("next node"))
    effects = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Effects on the state"),
        help_text=_("e.g. trust +10, openness -5"),
    )
    scores = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Scores"),
        help_text=_("Rubric levels 1–4, e.g. empathy 4"),
    )
    feedback = blocks.TextBlock(
        required=False, label=_("Feedback"), help_text=_("Why this choice helps or hurts.")
    )
    condition = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Condition"),
        help_text=_("Shown only when, e.g. trust >= 50"),
    )
    safe = blocks.BooleanBlock(
        required=False,
        label=_("Safe action"),
        help_text=_(
            "The step to take whenever there is risk, such as calling 189, 110 or 119 or telling "
            "the coordinator. Content packs check that it never leads straight to a poor ending, "
            "never scores 1, and that a good ending can still be reached after it."
        ),
    )

    class Meta:
        icon = "radio-full"
        label = _("Choice")
        template = "roleplay/blocks/choice.html"
        description = _("One thing the learner can say, and what it leads to.")


class NodeBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=60, label=_("node id"))
    line = blocks.TextBlock(label=_("what the persona says"))
    choices = blocks.ListBlock(ChoiceBlock(), default=[], label=_("Choices"))
    ending = blocks.ChoiceBlock(
        choices=[("", _("Not an ending"))] + [(k, ENDING_LABELS[k]) for k in ENDING_KINDS],
        required=False,
        label=_("Ending"),
        help_text=_("An ending offers no choices."),
    )
    summary = blocks.TextBlock(
        required=False,
        label=_("Summary"),
        help_text=_("For endings: how it went and why."),
    )

    class Meta:
        icon = "comment"
        label = _("Node")
        template = "roleplay/blocks/node.html"
        description = _("The persona's line and the learner's choices; the first node starts.")


class ModelLineBlock(blocks.StructBlock):
    criterion = blocks.CharBlock(
        max_length=40, label=_("Criterion"), help_text=_("A rubric key, e.g. empathy")
    )
    line = blocks.TextBlock(label=pgettext_lazy("what someone says", "Line"))
    note = blocks.TextBlock(required=False, label=_("Note"), help_text=_("Why this line works."))

    class Meta:
        icon = "openquote"
        label = _("Model line")
        template = "roleplay/blocks/model_line.html"
        description = _("An exemplary line shown in the debrief.")
