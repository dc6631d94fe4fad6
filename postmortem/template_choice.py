"""Which page template an incident's postmortem starts from (``app.yaml: templates``)."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.incident import Incident


@dataclass(frozen=True)
class TemplateRule:
    """Use ``template`` when every given criterion matches (empty criteria match anything)."""

    template: str
    projects: tuple[str, ...] = ()
    issue_types: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    services: tuple[str, ...] = ()

    def matches(self, incident: Incident) -> bool:
        def ok(allowed: tuple[str, ...], value: str | None) -> bool:
            return not allowed or (value is not None and value.lower() in {a.lower() for a in allowed})

        services = [s.strip() for s in (incident.service or "").split(",") if s.strip()]
        service_ok = not self.services or any(ok(self.services, s) for s in services)
        return (ok(self.projects, incident.project) and ok(self.issue_types, incident.issue_type)
                and ok(self.severities, incident.severity) and service_ok)


@dataclass(frozen=True)
class TemplatePolicy:
    default: str = "default"
    rules: tuple[TemplateRule, ...] = ()
    team_folder: str | None = None

    def choose(self, incident: Incident) -> str:
        """The first rule that matches wins; otherwise the default template."""
        return next((r.template for r in self.rules if r.matches(incident)), self.default)

    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.default, *(r.template for r in self.rules)]))
