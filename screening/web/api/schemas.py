"""marshmallow schemas of the JSON API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from screening.core.model import IdentifierType

SCHEMA_NAMES = ["Person", "Organization", "Company", "LegalEntity", "Vessel", "Aircraft"]


class IdentifierSchema(Schema):
    type = fields.String(
        required=True,
        validate=validate.OneOf([t.value for t in IdentifierType]),
        metadata={"example": "imo"},
    )
    value = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "9194127"}
    )
    country = fields.String(allow_none=True, validate=validate.Length(max=64))


class PartySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    qid = fields.String(allow_none=True, metadata={"description": "Your own id, echoed back."})
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    schema = fields.String(allow_none=True, validate=validate.OneOf(SCHEMA_NAMES))
    country = fields.String(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "ISO 3166 alpha-2 code"},
    )
    birth_date = fields.String(allow_none=True, metadata={"example": "1961-05"})
    identifiers = fields.List(fields.Nested(IdentifierSchema), load_default=list)


class PartyScreenRequestSchema(Schema):
    parties = fields.List(
        fields.Nested(PartySchema), required=True, validate=validate.Length(min=1, max=1000)
    )
    threshold = fields.Float(
        allow_none=True, validate=validate.Range(min=0, min_inclusive=False, max=1)
    )
    sources = fields.List(fields.String(), load_default=list)


class FeatureSchema(Schema):
    name = fields.String()
    score = fields.Float()
    weight = fields.Float()
    detail = fields.String()


class CitationSchema(Schema):
    kind = fields.String()
    title = fields.String()
    url = fields.String(allow_none=True)
    date = fields.String(allow_none=True)
    claim_id = fields.String()
    legal_basis = fields.String()


class PartyHitSchema(Schema):
    entity_id = fields.String(metadata={"example": "us_ofac_sdn:17018"})
    score = fields.Float()
    alert = fields.Boolean()
    matched_name = fields.String()
    matched_name_kind = fields.String(allow_none=True)
    listed_name = fields.String()
    kind = fields.String()
    source = fields.String()
    programs = fields.List(fields.String())
    legal_basis = fields.List(fields.Nested(CitationSchema))
    explanation = fields.String()
    features = fields.List(fields.Nested(FeatureSchema))
    list_version = fields.Dict(allow_none=True)
    algorithm = fields.String()


class PartyResultSchema(Schema):
    qid = fields.String(allow_none=True)
    name = fields.String()
    hits = fields.List(fields.Nested(PartyHitSchema))


class PartyScreenResponseSchema(Schema):
    results = fields.List(fields.Nested(PartyResultSchema))
    list_versions = fields.List(fields.Dict())
    algorithm = fields.String()
    thresholds = fields.Dict()


class FlagSchema(Schema):
    code = fields.String()
    rule = fields.String()
    severity = fields.String()
    role = fields.String(allow_none=True)
    message = fields.String()
    party_name = fields.String(allow_none=True)
    entity_id = fields.String(allow_none=True)
    matched_name = fields.String(allow_none=True)
    list_source = fields.String(allow_none=True)
    programs = fields.List(fields.String())
    score = fields.Float(allow_none=True)
    explanation = fields.String(allow_none=True)
    citations = fields.List(fields.Nested(CitationSchema))
    details = fields.Dict()


class ShipmentResultSchema(Schema):
    row = fields.Integer()
    sheet = fields.String(allow_none=True)
    shipment_id = fields.String(allow_none=True)
    verdict = fields.String(validate=validate.OneOf(["blocked", "high", "medium", "low", "clear"]))
    flags = fields.List(fields.Nested(FlagSchema))
    shipment = fields.Dict()


class RowErrorSchema(Schema):
    row = fields.Integer()
    sheet = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    message = fields.String()


class ClaimSchema(Schema):
    id = fields.String()
    claimant = fields.String()
    role = fields.String()
    organisation = fields.String()
    date = fields.String()
    publication = fields.String()
    url = fields.String()
    quote = fields.String()
    summary = fields.String()
    tags = fields.List(fields.String())
    verification = fields.String()


class ScreeningSchema(Schema):
    run = fields.Dict()
    shipments = fields.List(fields.Nested(ShipmentResultSchema))
    errors = fields.List(fields.Nested(RowErrorSchema))
    claims = fields.List(fields.Nested(ClaimSchema))


class ScreeningAcceptedSchema(Schema):
    id = fields.String()
    status = fields.String()
    location = fields.String()
    rows = fields.Integer()


class ScreeningRequestSchema(Schema):
    """JSON input: canonical field names (or your own headers, mapped by ``mapping``)."""

    shipments = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1))
    mapping = fields.Dict(
        keys=fields.String(), values=fields.String(allow_none=True), load_default=dict
    )
    name = fields.String(allow_none=True, metadata={"description": "A name for the run."})


class RunSummarySchema(Schema):
    id = fields.String()
    status = fields.String()
    created_at = fields.String()
    created_by = fields.String()
    channel = fields.String()
    input_name = fields.String(allow_none=True)
    row_count = fields.Integer()
    rows_done = fields.Integer()
    counts = fields.Dict()
    error = fields.String(allow_none=True)


class ListStatusSchema(Schema):
    source = fields.String()
    title = fields.String()
    active = fields.Boolean()
    version = fields.Integer(allow_none=True)
    as_of = fields.String(allow_none=True)
    entries = fields.Integer()
    counts = fields.Dict()
    sha256 = fields.String(allow_none=True)
    loaded_at = fields.String(allow_none=True)
    diff = fields.Dict(allow_none=True)
    last_update = fields.Dict(allow_none=True)
    licence = fields.String()
    attribution = fields.String()


class DecisionRequestSchema(Schema):
    hit_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**62))
    decision = fields.String(
        required=True, validate=validate.OneOf(["true_match", "false_positive"])
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class DecisionSchema(Schema):
    id = fields.Integer()
    hit_id = fields.Integer()
    decision = fields.String()
    reason = fields.String()
    party_name = fields.String()
    entity_id = fields.String()
    decided_by = fields.String()
    decided_at = fields.String()


class ClaimQuerySchema(Schema):
    q = fields.String(load_default=None, metadata={"description": "Search text"})
    tag = fields.String(load_default=None)


class RunQuerySchema(Schema):
    verdict = fields.String(
        load_default=None, validate=validate.OneOf(["blocked", "high", "medium", "low", "clear"])
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details: the one shape of every error response."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Entity"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "Field-level messages, for invalid input"})
