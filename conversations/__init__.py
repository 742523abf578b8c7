"""The product's flows, declared for bot.engine. `build_registry()` wires them all."""

from __future__ import annotations

from bot.engine.flow import Registry


def build_registry() -> Registry:
    from conversations import (
        action_plan,
        answer,
        cascade,
        checkin,
        data_report,
        dialog_buttons,
        evaluation,
        evaluation_views,
        feedback,
        menu,
        onboarding,
        review,
        skp,
    )

    registry = Registry()
    registry.add(onboarding.FLOW)
    registry.add(menu.FLOW)
    registry.add(data_report.FLOW)
    registry.add(skp.FLOW)
    registry.add(review.REVIEW)
    registry.add(answer.ANSWER)
    registry.add(cascade.FLOW)
    registry.add(checkin.FLOW)
    registry.add(action_plan.FLOW)
    registry.add(action_plan.REVIEW)
    registry.add(feedback.FLOW)
    registry.add(evaluation.FLOW)
    registry.add_object_action(data_report.REPORT_NS, data_report.on_report_button)
    registry.add_object_action(dialog_buttons.SKP_NS, dialog_buttons.on_skp_button)
    registry.add_object_action(dialog_buttons.EXP_NS, dialog_buttons.on_exp_button)
    registry.add_object_action(dialog_buttons.RES_NS, dialog_buttons.on_res_button)
    registry.add_object_action("go", menu.on_go_button)
    registry.add_object_action(cascade.CAS_NS, cascade.on_cas_button)
    registry.add_object_action(action_plan.PLAN_NS, action_plan.on_plan_button)
    registry.add_object_action(evaluation_views.EV_NS, evaluation_views.on_ev_button)
    return registry
