"""Loading profile files, expanding their includes, and choosing the profiles for a customer.

The shipped profiles live beside this module (profiles/*.yaml); a deployment may add a directory of its
own and a tenant file. A bad file fails loudly at load time with the file and the field, never at the
first contact. Merged policies are cached per profile list, so a decision never re-reads or re-merges.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from arrears.compliance.model import Address
from arrears.compliance.policy import Policy
from arrears.compliance.schema import ProfileFile
from arrears.compliance.zones import normalise_country

CollectorKind = Literal["third_party", "creditor"]
BASE = "base"
# EU member states and the EEA countries GDPR also binds; each gets the `eu` profile, then its own
# overlay named by the lower-case ISO code (de.yaml) when one exists.
_EEA = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
        "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO")  # fmt: skip
_COUNTRY_PROFILE = {"US": "us", "GB": "uk", "IN": "in", **dict.fromkeys(_EEA, "eu")}
_NYC_CITIES = {"new york", "new york city", "nyc", "manhattan", "brooklyn", "bronx", "the bronx", "queens",
               "staten island"}  # fmt: skip
_NYC_ZIP3 = {"100", "101", "102", "103", "104", "111", "112", "113", "114", "116"}


class ProfileError(ValueError):
    """A profile file that cannot be used, with the file and field that are wrong."""


def parse_profile(text: str, origin: str) -> ProfileFile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{origin}: expected a mapping at the top level")
    try:
        return ProfileFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise ProfileError(f"{origin}: {problems}") from exc


class TenantSettings(BaseModel):
    """What a tenant declares: its kind of collector, extra profiles and its own stricter rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    collector_kind: CollectorKind = "third_party"
    extra_profiles: tuple[str, ...] = ()
    overrides: ProfileFile | None = None


def load_tenant(path: Path) -> TenantSettings:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return TenantSettings.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc


class ProfileRegistry:
    """All known profiles by name, plus the cache of merged policies."""

    def __init__(self, files: Iterable[ProfileFile]) -> None:
        self._files: dict[str, ProfileFile] = {}
        for f in files:
            if f.name in self._files:
                raise ProfileError(f"profile {f.name!r} defined twice")
            self._files[f.name] = f
        for f in self._files.values():
            for inc in f.includes:
                if inc not in self._files:
                    raise ProfileError(f"profile {f.name!r}: includes unknown profile {inc!r}")
        self._policies: dict[tuple[str, ...], Policy] = {}

    @classmethod
    def builtin(cls, extra_dirs: Iterable[Path] = ()) -> ProfileRegistry:
        files = []
        shipped = resources.files("arrears.compliance").joinpath("profiles")
        for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                files.append(parse_profile(entry.read_text(encoding="utf-8"), f"profiles/{entry.name}"))
        for directory in extra_dirs:
            for path in sorted(Path(directory).glob("*.yaml")):
                files.append(parse_profile(path.read_text(encoding="utf-8"), str(path)))
        return cls(files)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._files))

    def get(self, name: str) -> ProfileFile:
        try:
            return self._files[name]
        except KeyError:
            raise ProfileError(f"unknown profile {name!r}; known: {', '.join(self.names())}") from None

    def expand(self, names: Iterable[str], tenant: ProfileFile | None = None) -> list[ProfileFile]:
        """Base first, then each profile after its includes, each once; the tenant's overrides last."""
        out: dict[str, ProfileFile] = {}

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in trail:
                raise ProfileError(f"include cycle: {' -> '.join((*trail, name))}")
            if name in out:
                return
            profile = self.get(name)
            for inc in profile.includes:
                visit(inc, (*trail, name))
            out[name] = profile

        if BASE in self._files:
            visit(BASE, ())
        for name in names:
            visit(name, ())
        files = list(out.values())
        if tenant is not None:
            files.append(tenant)
        return files

    def policy(self, names: tuple[str, ...], tenant: ProfileFile | None = None) -> Policy:
        key = (*names, "\x00tenant") if tenant is not None else names
        found = self._policies.get(key)
        if found is None:
            found = Policy(self.expand(names, tenant))
            self._policies[key] = found
        return found

    def resolve(self, address: Address, collector_kind: CollectorKind) -> tuple[str, ...] | None:
        """Profiles for a customer: country, state and city overlays, then the collector kind.

        Overlays that bind only some collector kinds (Washington's licensing law binds agencies) are
        skipped for the others. None: no profile covers the country, and the gate refuses.
        """
        country = normalise_country(address.country)
        base = _COUNTRY_PROFILE.get(country or "")
        if base is None or base not in self._files:
            return None
        names = [base]
        overlays = []
        if base == "eu":
            overlays.append((country or "").lower())
        elif address.state:
            overlays.append(f"{base}-{address.state.strip().lower()}")
        if base == "us" and _in_nyc(address):
            overlays.append("us-nyc")
        for overlay in overlays:
            profile = self._files.get(overlay)
            if profile is not None and collector_kind in profile.collector_kinds:
                names.append(overlay)
        kind_profile = f"{base}-{collector_kind.replace('_', '-')}"
        if kind_profile in self._files:
            names.append(kind_profile)
        return tuple(names)


def _in_nyc(address: Address) -> bool:
    if (address.state or "").strip().upper() != "NY":
        return False
    if address.city and address.city.strip().lower() in _NYC_CITIES:
        return True
    return bool(address.postal_code) and (address.postal_code or "").strip()[:3] in _NYC_ZIP3
