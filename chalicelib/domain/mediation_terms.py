"""Why a police mediation ends without an agreement (调解终结), in the words of Order 146.

Art.94 lists three reasons to end a mediation (a party sues, a party stays away without good
reason, a party walks out); Art.90 ¶3 gives the mediation ten working days from its start and
Art.93 ¶3 ends it when the parties do not agree. The wording is what the 调解终结书 prints.
"""

from __future__ import annotations

from enum import StrEnum


class TerminationReason(StrEnum):
    PARTY_ABSENT = "PARTY_ABSENT"
    WITHDRAWN = "WITHDRAWN"
    PARTY_SUED = "PARTY_SUED"
    NO_AGREEMENT_IN_TIME = "NO_AGREEMENT_IN_TIME"

    @property
    def wording(self) -> str:
        """The clause of the regulation, as printed on the termination."""
        return _WORDING[self][0]

    @property
    def article(self) -> str:
        """Where Order 146 says it, e.g. 第九十四条第（二）项."""
        return _WORDING[self][1]


REGULATION = "《道路交通事故处理程序规定》"

_WORDING: dict[TerminationReason, tuple[str, str]] = {
    TerminationReason.PARTY_SUED: ("调解期间有一方当事人向人民法院提起民事诉讼", "第九十四条第（一）项"),
    TerminationReason.PARTY_ABSENT: ("一方当事人无正当理由不参加调解", "第九十四条第（二）项"),
    TerminationReason.WITHDRAWN: ("一方当事人调解过程中退出调解", "第九十四条第（三）项"),
    TerminationReason.NO_AGREEMENT_IN_TIME: ("自调解开始之日起十日内各方当事人未达成协议", "第九十条第三款、第九十三条第三款"),
}
