"""A scripted channel for unit tests of the dispatch services (the real channels have their own tests)."""

from __future__ import annotations

from ocilink.dispatch.channels.base import Channel, ConfigField
from ocilink.dispatch.exceptions import PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.registry import register_channel
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, DispatchResult, OutboundOrder


@register_channel()
class FakeChannel(Channel):
    key = "fake"
    label = "Fake (tests)"
    config_fields = (ConfigField("target", "Target"),)

    script: list[str] = []  # "ok", "transient", "permanent"; an empty script delivers
    sent: list[DispatchEnvelope] = []

    def send(self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope) -> DispatchResult:
        FakeChannel.sent.append(envelope)
        step = FakeChannel.script.pop(0) if FakeChannel.script else "ok"
        if step == "transient":
            raise TransientDispatchError("The supplier's server answered 503 Service Unavailable.", request=b"doc")
        if step == "permanent":
            raise PermanentDispatchError(
                f"The supplier's server refused the order: 401 Unauthorized. Check the shared secret of connection "
                f"{config.label}.",
                request=b"doc",
            )
        return DispatchResult(
            summary="The supplier's server accepted the order (cXML 200 OK).",
            request=b"<cXML>" + envelope.payload_id.encode() + b"</cXML>",
            response=b"<Status code='200'/>",
            evidence={"cxml_code": 200, "payload_id": envelope.payload_id},
            document_name=f"{order.order_number}.xml",
            document=b"<cXML/>",
        )

    def build_document(
        self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope
    ) -> tuple[str, bytes]:
        return f"{order.order_number}.xml", b"<cXML held/>"
