"""Seeded partners, for any authenticated caller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import ANY_AUTHENTICATED, Principal

if TYPE_CHECKING:
    from chalicelib.contracts.portal import HospitalList, PartnerList

blueprint = Blueprint(__name__)
PARTNERS = "chalicelib.contracts.portal:PartnerList"


def _listing(kind: str) -> PartnerList:
    from chalicelib.contracts.portal import Partner, PartnerList
    from chalicelib.store import reference

    return PartnerList(items=[Partner(code=i.code, name=i.name) for i in reference.listing(kind)])


@operation(blueprint, "/insurers", "GET", summary="The insurers in fast claims", roles=ANY_AUTHENTICATED, reply=PARTNERS)
def list_insurers(principal: Principal) -> PartnerList:
    return _listing("INSURER")


@operation(blueprint, "/hospitals", "GET", summary="Hospitals, and whether each is designated for injury direct pay",
           roles=ANY_AUTHENTICATED, reply="chalicelib.contracts.portal:HospitalList")
def list_hospitals(principal: Principal) -> HospitalList:
    from chalicelib.contracts.portal import Hospital, HospitalList
    from chalicelib.store import reference

    hospitals = reference.listing("HOSPITAL")
    return HospitalList(items=[Hospital(code=h.code, name=h.name, direct_pay=reference.direct_pay(h)) for h in hospitals])


@operation(blueprint, "/service-points", "GET", summary="Offline one-stop service points", roles=ANY_AUTHENTICATED, reply=PARTNERS)
def list_service_points(principal: Principal) -> PartnerList:
    return _listing("SERVICE_POINT")


@operation(blueprint, "/repair-shops", "GET", summary="Repair shops in fast repair claims (汽修快赔): rescue destinations",
           roles=ANY_AUTHENTICATED, reply=PARTNERS)
def list_repair_shops(principal: Principal) -> PartnerList:
    return _listing("REPAIR_SHOP")
