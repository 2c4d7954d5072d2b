"""The awsJson1_0 wire protocol of ``pinpoint-sms-voice-v2``, server side.

Everything about shapes comes from botocore's own service model, never hand-copied: the operation is
looked up from ``X-Amz-Target``; the body is type-checked against the input shape (a type mismatch is
a ``SerializationException``, as AWS's deserializer answers); ``botocore.validate.ParamValidator``
checks required members and minimums; and because ParamValidator checks neither maximums, patterns
nor enums, those are checked here from the same shapes (``ValidationException`` with AWS's message
format and ``Fields``). Errors go out as ``{"__type": ..., "Message": ...}`` with AWS's HTTP status.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator

SERVICE_NAME = "pinpoint-sms-voice-v2"
CONTENT_TYPE = "application/x-amz-json-1.0"
# Requests larger than this are refused before parsing (the biggest legal one, an attachment body at
# the model's maximum of 6,990,508 bytes, is about 9.3 MB once base64-encoded).
MAX_BODY_BYTES = 10 * 1024 * 1024


@functools.cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


def target_prefix() -> str:
    return service_model().metadata["targetPrefix"] + "."


class ApiError(Exception):
    """An error answer: ``code`` becomes ``__type``; ``members`` are the error shape's other members."""

    def __init__(self, code: str, message: str, *, status: int = 400, **members: Any):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.members = {k: v for k, v in members.items() if v is not None}

    def body(self) -> dict[str, Any]:
        return {"__type": self.code, "Message": self.message, **self.members}


def validation_error(
    message: str, *, reason: str = "INVALID_PARAMETER", fields: list[dict[str, str]] | None = None
) -> ApiError:
    return ApiError("ValidationException", message, Reason=reason, Fields=fields or None)


def conflict(message: str, *, reason: str, resource_type: str | None = None, resource_id: str | None = None):
    return ApiError(
        "ConflictException", message, Reason=reason, ResourceType=resource_type, ResourceId=resource_id
    )


def not_found(resource_type: str, resource_id: str) -> ApiError:
    return ApiError(
        "ResourceNotFoundException",
        f"The {resource_type} {resource_id} was not found.",
        ResourceType=resource_type,
        ResourceId=resource_id,
    )


def quota_exceeded(message: str, reason: str) -> ApiError:
    return ApiError("ServiceQuotaExceededException", message, Reason=reason)


def throttling() -> ApiError:
    return ApiError("ThrottlingException", "Rate exceeded")


def internal_error(request_id: str) -> ApiError:
    return ApiError("InternalServerException", "Internal server error", status=500, RequestId=request_id)


def serialization_error(message: str) -> ApiError:
    # AWS's JSON front end answers undeserializable input with the coral service's namespaced type.
    return ApiError("com.amazon.coral.service#SerializationException", message)


def unknown_operation(message: str) -> ApiError:
    return ApiError("com.amazon.coral.service#UnknownOperationException", message)


# --- request side ------------------------------------------------------------------------------------
def operation_for_target(target: str | None) -> OperationModel:
    prefix = target_prefix()
    if not target or not target.startswith(prefix):
        raise unknown_operation(f"Unknown operation: X-Amz-Target {target!r}")
    name = target[len(prefix) :]
    if name not in service_model().operation_names:
        raise unknown_operation(f"Unknown operation {name!r}")
    return service_model().operation_model(name)


def decode_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise serialization_error(f"Malformed JSON: {exc}") from None
    if not isinstance(body, dict):
        raise serialization_error("The request body must be a JSON object")
    return body


def parse_input(operation: OperationModel, body: dict[str, Any]) -> dict[str, Any]:
    """Typed, validated parameters of one request (raises ApiError like AWS would)."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params = _coerce(body, shape, shape.name)
    problems: list[tuple[str, str, str]] = []  # (path, constraint message, reason)
    report = ParamValidator().validate(params, shape)
    for error_type, name, extra in getattr(report, "_errors", []):
        problems.append(_from_param_validator(error_type, name, extra))
    _check_constraints(params, shape, "", problems)
    if problems:
        raise _validation_report(problems)
    return params


def _coerce(value: Any, shape: Shape, path: str) -> Any:
    """JSON → Python by shape: decode base64 blobs, drop nulls and members the shape does not know (AWS
    ignores them), and refuse wrong JSON types as AWS's deserializer does."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise _type_error(path, "structure", value)
        return {
            key: _coerce(item, shape.members[key], f"{path}.{key}")
            for key, item in value.items()
            if key in shape.members and item is not None
        }
    if kind == "list":
        if not isinstance(value, list):
            raise _type_error(path, "list", value)
        return [_coerce(item, shape.member, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _type_error(path, "map", value)
        return {str(k): _coerce(v, shape.value, f"{path}.{k}") for k, v in value.items() if v is not None}
    if kind == "string":
        if not isinstance(value, str):
            raise _type_error(path, "string", value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _type_error(path, "boolean", value)
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(path, kind, value)
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(path, kind, value)
        return value
    if kind == "blob":
        if not isinstance(value, str):
            raise _type_error(path, "blob", value)
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serialization_error(f"{path}: blob is not valid base64") from None
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(path, "timestamp", value)
        return value
    return value


def _type_error(path: str, expected: str, value: Any) -> ApiError:
    return serialization_error(f"{path}: expected {expected}, got {type(value).__name__}")


def _member_path(name: str) -> str:
    """botocore's ``.SenderIds[0].SenderId`` → AWS's ``senderIds.1.member.senderId``."""
    parts = []
    for piece in re.findall(r"[^.\[\]]+|\[\d+\]", name):
        if piece.startswith("["):
            parts.append(f"{int(piece[1:-1]) + 1}.member")
        else:
            parts.append(piece[:1].lower() + piece[1:])
    return ".".join(parts)


def _from_param_validator(error_type: str, name: str, extra: dict[str, Any]) -> tuple[str, str, str]:
    if error_type == "missing required field":
        path = _member_path(f"{name}.{extra['required_name']}")
        return path, "Member must not be null", "MISSING_PARAMETER"
    if error_type == "invalid length":
        return (
            _member_path(name),
            f"Member must have length greater than or equal to {extra['min_allowed']}",
            ("INVALID_PARAMETER"),
        )
    if error_type == "invalid range":
        return (
            _member_path(name),
            f"Member must have value greater than or equal to {extra['min_allowed']}",
            ("INVALID_PARAMETER"),
        )
    return _member_path(name), error_type, "INVALID_PARAMETER"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # a Java-only construct: leave that one pattern unchecked rather than crash
        return None


def _check_constraints(value: Any, shape: Shape, name: str, problems: list[tuple[str, str, str]]) -> None:
    """What ParamValidator leaves out: maximum lengths/values, blob sizes, patterns and enums."""
    meta = shape.metadata
    kind = shape.type_name

    def fail(message: str) -> None:
        problems.append((_member_path(name), f"Member must {message}", "INVALID_PARAMETER"))

    if kind == "structure":
        for key, item in value.items():
            _check_constraints(item, shape.members[key], f"{name}.{key}", problems)
    elif kind == "list":
        if "max" in meta and len(value) > meta["max"]:
            fail(f"have length less than or equal to {meta['max']}")
        for i, item in enumerate(value):
            _check_constraints(item, shape.member, f"{name}[{i}]", problems)
    elif kind == "map":
        for key, item in value.items():
            _check_constraints(item, shape.value, f"{name}.{key}", problems)
    elif kind in ("string", "blob"):
        if kind == "blob" and "min" in meta and len(value) < meta["min"]:
            fail(f"have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            fail(f"have length less than or equal to {meta['max']}")
        if kind == "string" and "pattern" in meta:
            compiled = _compiled(meta["pattern"])
            # AWS matches the whole value (Java's Pattern.matches), not a substring.
            if compiled is not None and not compiled.fullmatch(value):
                fail(f"satisfy regular expression pattern: {meta['pattern']}")
        if kind == "string" and getattr(shape, "enum", None) and value not in shape.enum:
            fail(f"satisfy enum value set: [{', '.join(shape.enum)}]")
    elif kind in ("integer", "long", "float", "double") and "max" in meta and value > meta["max"]:
        fail(f"have value less than or equal to {meta['max']}")


def _validation_report(problems: list[tuple[str, str, str]]) -> ApiError:
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    details = "; ".join(
        f"Value at '{path}' failed to satisfy constraint: {message}" for path, message, _ in problems
    )
    reason = (
        "MISSING_PARAMETER" if all(r == "MISSING_PARAMETER" for _, _, r in problems) else "INVALID_PARAMETER"
    )
    return validation_error(
        f"{count} validation {noun} detected: {details}",
        reason=reason,
        fields=[{"Name": path, "Message": message} for path, message, _ in problems],
    )


# --- response side -----------------------------------------------------------------------------------
def check_output(operation: OperationModel, response: dict[str, Any]) -> list[str]:
    """Problems with one of our own answers against the output shape (a simulator self-check used by
    the test fixture): missing required members, unknown members, wrong types, enums."""
    shape = operation.output_shape
    if shape is None:
        return []
    problems: list[str] = []
    _check_output(response, shape, operation.name, problems)
    return problems


def _check_output(value: Any, shape: Shape, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: not an object")
            return
        for required in shape.required_members:
            if value.get(required) is None:
                problems.append(f"{path}.{required}: required member missing")
        for key, item in value.items():
            if key not in shape.members:
                problems.append(f"{path}.{key}: not in the output shape")
            else:
                _check_output(item, shape.members[key], f"{path}.{key}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: not a list")
            return
        for i, item in enumerate(value):
            _check_output(item, shape.member, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: not a map")
            return
        for key, item in value.items():
            _check_output(item, shape.value, f"{path}.{key}", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: not a string")
        elif getattr(shape, "enum", None) and value not in shape.enum:
            problems.append(f"{path}: {value!r} not in enum")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: not a boolean")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: not an integer")
    elif kind == "timestamp" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        problems.append(f"{path}: timestamps go out as epoch seconds")


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()
