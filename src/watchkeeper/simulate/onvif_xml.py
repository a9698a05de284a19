"""ONVIF reply bodies as XML text, element order as the ONVIF schemas require.

Pure functions from camera facts to strings: zeep (in onvif-zeep-async, the client the
rest of Watchkeeper uses) parses sequences strictly, so order and namespaces here matter
more than brevity. Only what a recorder and an operator's PTZ panel use is answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from watchkeeper.simulate.ptz import Position

__all__ = [
    "NS",
    "Profile",
    "capabilities",
    "date_and_time",
    "device_information",
    "envelope",
    "fault",
    "media_uri",
    "nodes",
    "presets",
    "profiles",
    "ptz_configurations",
    "ptz_status",
    "services",
]

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "ter": "http://www.onvif.org/ver10/error",
}
_SPACES = "http://www.onvif.org/ver10/tptz"
PT_POS = f"{_SPACES}/PanTiltSpaces/PositionGenericSpace"
Z_POS = f"{_SPACES}/ZoomSpaces/PositionGenericSpace"
PT_TRANS = f"{_SPACES}/PanTiltSpaces/TranslationGenericSpace"
Z_TRANS = f"{_SPACES}/ZoomSpaces/TranslationGenericSpace"
PT_VEL = f"{_SPACES}/PanTiltSpaces/VelocityGenericSpace"
Z_VEL = f"{_SPACES}/ZoomSpaces/VelocityGenericSpace"
PT_SPEED = f"{_SPACES}/PanTiltSpaces/GenericSpeedSpace"
Z_SPEED = f"{_SPACES}/ZoomSpaces/ZoomGenericSpeedSpace"


@dataclass(frozen=True)
class Profile:
    token: str
    width: int
    height: int
    fps: int
    kbps: int
    gop: int


def envelope(body: str) -> str:
    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f"{head}<s:Envelope {ns}><s:Body>{body}</s:Body></s:Envelope>"


def fault(subcode: str, reason: str) -> str:
    return envelope(
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode>"
        f"<s:Value>ter:{subcode}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en">{escape(reason)}</s:Text></s:Reason></s:Fault>'
    )


def device_information(name: str) -> str:
    return (
        "<tds:GetDeviceInformationResponse><tds:Manufacturer>Watchkeeper</tds:Manufacturer>"
        "<tds:Model>Simulated camera</tds:Model><tds:FirmwareVersion>0.1.0</tds:FirmwareVersion>"
        f"<tds:SerialNumber>SIM-{escape(name)}</tds:SerialNumber>"
        f"<tds:HardwareId>{escape(name)}</tds:HardwareId></tds:GetDeviceInformationResponse>"
    )


def capabilities(base: str, ptz: bool) -> str:
    ptz_xml = f"<tt:PTZ><tt:XAddr>{base}/onvif/ptz_service</tt:XAddr></tt:PTZ>" if ptz else ""
    return (
        "<tds:GetCapabilitiesResponse><tds:Capabilities>"
        f"<tt:Device><tt:XAddr>{base}/onvif/device_service</tt:XAddr></tt:Device>"
        f"<tt:Media><tt:XAddr>{base}/onvif/media_service</tt:XAddr>"
        "<tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>"
        "<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP>"
        "</tt:StreamingCapabilities></tt:Media>"
        f"{ptz_xml}</tds:Capabilities></tds:GetCapabilitiesResponse>"
    )


def services(base: str, ptz: bool) -> str:
    items = [("tds", "device_service", 2), ("trt", "media_service", 2)]
    if ptz:
        items.append(("tptz", "ptz_service", 2))
    body = "".join(
        f"<tds:Service><tds:Namespace>{NS[p]}</tds:Namespace>"
        f"<tds:XAddr>{base}/onvif/{path}</tds:XAddr>"
        f"<tds:Version><tt:Major>{major}</tt:Major><tt:Minor>0</tt:Minor></tds:Version>"
        "</tds:Service>"
        for p, path, major in items
    )
    return f"<tds:GetServicesResponse>{body}</tds:GetServicesResponse>"


def date_and_time(utc_us: int) -> str:
    t = datetime.fromtimestamp(utc_us / 1e6, UTC)
    return (
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
        "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
        "<tt:TimeZone><tt:TZ>GMT0BST,M3.5.0/1,M10.5.0</tt:TZ></tt:TimeZone>"
        f"<tt:UTCDateTime><tt:Time><tt:Hour>{t.hour}</tt:Hour><tt:Minute>{t.minute}</tt:Minute>"
        f"<tt:Second>{t.second}</tt:Second></tt:Time><tt:Date><tt:Year>{t.year}</tt:Year>"
        f"<tt:Month>{t.month}</tt:Month><tt:Day>{t.day}</tt:Day></tt:Date></tt:UTCDateTime>"
        "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
    )


def _ptz_configuration(tag: str) -> str:
    return (
        f'<{tag} token="ptzcfg"><tt:Name>ptz</tt:Name><tt:UseCount>2</tt:UseCount>'
        "<tt:NodeToken>ptznode</tt:NodeToken>"
        f"<tt:DefaultAbsolutePantTiltPositionSpace>{PT_POS}</tt:DefaultAbsolutePantTiltPositionSpace>"
        f"<tt:DefaultAbsoluteZoomPositionSpace>{Z_POS}</tt:DefaultAbsoluteZoomPositionSpace>"
        f"<tt:DefaultRelativePanTiltTranslationSpace>{PT_TRANS}</tt:DefaultRelativePanTiltTranslationSpace>"
        f"<tt:DefaultRelativeZoomTranslationSpace>{Z_TRANS}</tt:DefaultRelativeZoomTranslationSpace>"
        f"<tt:DefaultContinuousPanTiltVelocitySpace>{PT_VEL}</tt:DefaultContinuousPanTiltVelocitySpace>"
        f"<tt:DefaultContinuousZoomVelocitySpace>{Z_VEL}</tt:DefaultContinuousZoomVelocitySpace>"
        f'<tt:DefaultPTZSpeed><tt:PanTilt x="1" y="1" space="{PT_SPEED}"/>'
        f'<tt:Zoom x="1" space="{Z_SPEED}"/></tt:DefaultPTZSpeed>'
        "<tt:DefaultPTZTimeout>PT10S</tt:DefaultPTZTimeout>"
        f"<tt:PanTiltLimits><tt:Range><tt:URI>{PT_POS}</tt:URI>{_range('X', -1, 1)}"
        f"{_range('Y', -1, 1)}</tt:Range></tt:PanTiltLimits>"
        f"<tt:ZoomLimits><tt:Range><tt:URI>{Z_POS}</tt:URI>{_range('X', 0, 1)}</tt:Range>"
        f"</tt:ZoomLimits></{tag}>"
    )


def _range(axis: str, lo: float, hi: float) -> str:
    return f"<tt:{axis}Range><tt:Min>{lo}</tt:Min><tt:Max>{hi}</tt:Max></tt:{axis}Range>"


def profiles(items: list[Profile], src_w: int, src_h: int, ptz: bool) -> str:
    out = []
    for p in items:
        out.append(
            f'<trt:Profiles token="{p.token}" fixed="true"><tt:Name>{p.token}</tt:Name>'
            '<tt:VideoSourceConfiguration token="vsc"><tt:Name>source</tt:Name>'
            "<tt:UseCount>2</tt:UseCount><tt:SourceToken>video</tt:SourceToken>"
            f'<tt:Bounds x="0" y="0" width="{src_w}" height="{src_h}"/>'
            "</tt:VideoSourceConfiguration>"
            f'<tt:VideoEncoderConfiguration token="enc_{p.token}"><tt:Name>{p.token}</tt:Name>'
            "<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>"
            f"<tt:Resolution><tt:Width>{p.width}</tt:Width><tt:Height>{p.height}</tt:Height>"
            "</tt:Resolution><tt:Quality>5</tt:Quality>"
            f"<tt:RateControl><tt:FrameRateLimit>{p.fps}</tt:FrameRateLimit>"
            "<tt:EncodingInterval>1</tt:EncodingInterval>"
            f"<tt:BitrateLimit>{p.kbps}</tt:BitrateLimit></tt:RateControl>"
            f"<tt:H264><tt:GovLength>{p.gop}</tt:GovLength><tt:H264Profile>High</tt:H264Profile>"
            "</tt:H264><tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type>"
            "<tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port>"
            "<tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>"
            "<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>"
            f"{_ptz_configuration('tt:PTZConfiguration') if ptz else ''}"
            "</trt:Profiles>"
        )
    return f"<trt:GetProfilesResponse>{''.join(out)}</trt:GetProfilesResponse>"


def media_uri(op: str, uri: str) -> str:
    return (
        f"<trt:{op}Response><trt:MediaUri><tt:Uri>{escape(uri)}</tt:Uri>"
        "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
        "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
        f"<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:{op}Response>"
    )


def _position(tag: str, pos: Position) -> str:
    return (
        f'<{tag}><tt:PanTilt x="{pos.pan:.4f}" y="{pos.tilt:.4f}" space="{PT_POS}"/>'
        f'<tt:Zoom x="{pos.zoom:.4f}" space="{Z_POS}"/></{tag}>'
    )


def ptz_status(pos: Position, moving: bool, utc: str) -> str:
    state = "MOVING" if moving else "IDLE"
    return (
        "<tptz:GetStatusResponse><tptz:PTZStatus>"
        f"{_position('tt:Position', pos)}<tt:MoveStatus><tt:PanTilt>{state}</tt:PanTilt>"
        f"<tt:Zoom>{state}</tt:Zoom></tt:MoveStatus><tt:UtcTime>{utc}</tt:UtcTime>"
        "</tptz:PTZStatus></tptz:GetStatusResponse>"
    )


def presets(items: dict[str, tuple[str, Position]]) -> str:
    body = "".join(
        f'<tptz:Preset token="{escape(tok)}"><tt:Name>{escape(name)}</tt:Name>'
        f"{_position('tt:PTZPosition', pos)}</tptz:Preset>"
        for tok, (name, pos) in items.items()
    )
    return f"<tptz:GetPresetsResponse>{body}</tptz:GetPresetsResponse>"


def ptz_configurations() -> str:
    inner = _ptz_configuration("tptz:PTZConfiguration")
    return f"<tptz:GetConfigurationsResponse>{inner}</tptz:GetConfigurationsResponse>"


def nodes() -> str:
    def space(tag: str, uri: str, x: tuple[float, float], y: tuple[float, float] | None) -> str:
        yr = _range("Y", *y) if y else ""
        return f"<tt:{tag}><tt:URI>{uri}</tt:URI>{_range('X', *x)}{yr}</tt:{tag}>"

    spaces = (
        space("AbsolutePanTiltPositionSpace", PT_POS, (-1, 1), (-1, 1))
        + space("AbsoluteZoomPositionSpace", Z_POS, (0, 1), None)
        + space("RelativePanTiltTranslationSpace", PT_TRANS, (-1, 1), (-1, 1))
        + space("RelativeZoomTranslationSpace", Z_TRANS, (-1, 1), None)
        + space("ContinuousPanTiltVelocitySpace", PT_VEL, (-1, 1), (-1, 1))
        + space("ContinuousZoomVelocitySpace", Z_VEL, (-1, 1), None)
        + space("PanTiltSpeedSpace", PT_SPEED, (0, 1), None)
        + space("ZoomSpeedSpace", Z_SPEED, (0, 1), None)
    )
    return (
        '<tptz:GetNodesResponse><tptz:PTZNode token="ptznode" FixedHomePosition="false">'
        f"<tt:Name>ptz</tt:Name><tt:SupportedPTZSpaces>{spaces}</tt:SupportedPTZSpaces>"
        "<tt:MaximumNumberOfPresets>64</tt:MaximumNumberOfPresets>"
        "<tt:HomeSupported>true</tt:HomeSupported></tptz:PTZNode></tptz:GetNodesResponse>"
    )
