"""The product's flows, declared for bot.engine. `build_registry()` wires them all."""

from __future__ import annotations

from bot.engine.flow import Registry


def build_registry() -> Registry:
    from conversations import data_report, menu, onboarding, skp

    registry = Registry()
    registry.add(onboarding.FLOW)
    registry.add(menu.FLOW)
    registry.add(data_report.FLOW)
    registry.add(skp.FLOW)
    registry.add_object_action(data_report.REPORT_NS, data_report.on_report_button)
    return registry
