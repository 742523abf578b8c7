"""The product's flows, declared for bot.engine. `build_registry()` wires them all."""

from __future__ import annotations

from bot.engine.flow import Registry


def build_registry() -> Registry:
    from conversations import cascade, data_report, dialog, menu, onboarding, skp

    registry = Registry()
    registry.add(onboarding.FLOW)
    registry.add(menu.FLOW)
    registry.add(data_report.FLOW)
    registry.add(skp.FLOW)
    registry.add(dialog.REVIEW)
    registry.add(dialog.ANSWER)
    registry.add(cascade.FLOW)
    registry.add_object_action(data_report.REPORT_NS, data_report.on_report_button)
    registry.add_object_action(dialog.SKP_NS, dialog.on_skp_button)
    registry.add_object_action(dialog.EXP_NS, dialog.on_exp_button)
    registry.add_object_action(dialog.RES_NS, dialog.on_res_button)
    registry.add_object_action("go", menu.on_go_button)
    registry.add_object_action(cascade.CAS_NS, cascade.on_cas_button)
    return registry
