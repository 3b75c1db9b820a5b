"""Atoll's python3 runtime: the AWS Lambda Runtime API loop, standard library only.

Run as `python3 bootstrap.py` with the Lambda environment (AWS_LAMBDA_RUNTIME_API,
_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_FUNCTION_*). It imports the handler once, then
asks the Runtime API for invocations one at a time, forever, as AWS's own runtimes do.

Why a hand-written HTTP/1.1 client instead of http.client: http.client imports the email
package and ssl (about 20 ms of every cold start on the reference machine) and parses
each response's headers through email.parser. The Runtime API is a loopback server that
answers a handful of small, well-formed responses; reading them off one keep-alive socket
needs only `_socket`. Everything else the loop uses is imported here, once; traceback and
logging are imported only when a function needs them (its first error, its own import).

Python 3.8 syntax and library, so any interpreter a host ships can run it. One file on
purpose: a host ships and starts it with nothing beside it, and a second module would
need the bootstrap's directory on sys.path, where it could shadow the function's own.
"""
import os
import sys
import time

try:
    # The C module itself: socket.py adds ~4 ms of start-up (enum conversions, selectors)
    # for conveniences this client does not use.
    import _socket
except ImportError:
    import socket as _socket

_API_PREFIX = "/2018-06-01/runtime"
_ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
_THIS_FILE = os.path.abspath(__file__)


class RuntimeApiGone(Exception):
    """The Runtime API closed the connection or answered 500: the host wants this process gone."""


class RuntimeApiClient:
    """One persistent HTTP/1.1 connection to the Runtime API (AWS_LAMBDA_RUNTIME_API)."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        # A bytes host: getaddrinfo would otherwise import the idna codec (and stringprep)
        # to encode it, some 3 ms of every cold start.
        self._address = ((host.strip("[]") or "127.0.0.1").encode("ascii"), int(port))
        self._host_header = ("Host: " + address + "\r\n").encode("latin-1")
        self._sock = None
        self._buf = b""
        self._pos = 0

    def _connect(self):
        self.close()
        host, port = self._address
        error = OSError("no address for the Runtime API")
        for family, kind, proto, _, sockaddr in _socket.getaddrinfo(host, port, 0, _socket.SOCK_STREAM):
            sock = _socket.socket(family, kind, proto)
            try:
                # Requests are written whole; Nagle would hold the next one back for an ACK.
                sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
                sock.connect(sockaddr)
            except OSError as e:
                sock.close()
                error = e
                continue
            self._sock = sock
            return
        raise error

    def close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        self._buf = b""
        self._pos = 0

    def request(self, method, path, body=None, headers=""):
        """Sends one request; returns (status, lower-cased headers, body bytes)."""
        head = method + " " + _API_PREFIX + path + " HTTP/1.1\r\n"
        if body is None:
            data = head.encode("latin-1") + self._host_header + b"\r\n"
        else:
            head += headers + "Content-Type: application/json\r\nContent-Length: " + str(len(body)) + "\r\n"
            data = head.encode("latin-1") + self._host_header + b"\r\n" + body
        reused = self._sock is not None
        if not reused:
            self._connect()
        elif self._pos:
            self._buf = self._buf[self._pos:]
            self._pos = 0
        unread = len(self._buf)
        try:
            self._sock.sendall(data)
            head = self._read_head()
        except (OSError, _Closed):
            if not reused or len(self._buf) != unread:
                raise
            # A keep-alive connection the server closed while the handler ran (an idle
            # timer): it never read the request, so sending it again once is safe.
            self._connect()
            self._sock.sendall(data)
            head = self._read_head()
        return self._read_response(head)

    def _recv(self, size):
        data = self._sock.recv(size)
        if not data:
            raise _Closed("the Runtime API closed the connection")
        return data

    def _read_head(self):
        """The status line and header lines of the next response, up to the blank line."""
        while True:
            end = self._buf.find(b"\r\n\r\n", self._pos)
            if end >= 0:
                head = self._buf[self._pos:end]
                self._pos = end + 4
                return head
            self._buf = self._buf[self._pos:] + self._recv(65536)
            self._pos = 0
            if len(self._buf) > 65536:
                raise RuntimeApiGone("response headers over 64 KiB")

    def _read(self, length):
        start = self._pos
        have = len(self._buf) - start
        if have >= length:
            self._pos = start + length
            return self._buf[start:start + length]
        # A large body: received straight into its final buffer.
        body = bytearray(length)
        view = memoryview(body)
        view[:have] = self._buf[start:]
        self._buf = b""
        self._pos = 0
        recv_into = self._sock.recv_into
        while have < length:
            got = recv_into(view[have:])
            if not got:
                raise _Closed("the Runtime API closed the connection mid-body")
            have += got
        return body

    def _read_to_close(self):
        parts = [self._buf[self._pos:]]
        while True:
            data = self._sock.recv(65536)
            if not data:
                return b"".join(parts)
            parts.append(data)

    def _readline(self):
        while True:
            end = self._buf.find(b"\n", self._pos)
            if end >= 0:
                line = self._buf[self._pos:end + 1]
                self._pos = end + 1
                return line
            self._buf = self._buf[self._pos:] + self._recv(65536)
            self._pos = 0

    def _read_response(self, head):
        lines = head.split(b"\r\n")
        parts = lines[0].split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise RuntimeApiGone("not an HTTP response: %r" % lines[0][:100])
        status = int(parts[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.lower().decode("latin-1")] = value.strip().decode("latin-1")
        if status in (204, 304) or 100 <= status < 200:
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        elif "content-length" in headers:
            body = self._read(int(headers["content-length"]))
        else:
            body = self._read_to_close()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close" or parts[0] == b"HTTP/1.0":
            self.close()
        return status, headers, body

    def _read_chunked(self):
        chunks = []
        while True:
            size = int(self._readline().split(b";", 1)[0].strip(), 16)
            if size == 0:
                break
            chunks.append(self._read(size))
            self._read(2)
        while self._readline() not in (b"\r\n", b"\n"):
            pass  # trailers
        return b"".join(chunks)


class _Closed(Exception):
    """The server closed the connection (an empty recv)."""


class CognitoIdentity(object):
    """context.identity, as AWS's Python runtime builds it."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class Client(object):
    """context.client_context.client."""

    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext(object):
    """context.client_context, from the Lambda-Runtime-Client-Context header."""

    __slots__ = ("custom", "env", "client")


def _from_dict(cls, values):
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field) if isinstance(values, dict) else None)
    return obj


class LambdaContext(object):
    """The `context` argument, with the attributes and methods of AWS's Python runtime."""

    __slots__ = (
        "aws_request_id", "function_name", "function_version", "memory_limit_in_mb",
        "invoked_function_arn", "log_group_name", "log_stream_name", "client_context",
        "identity", "_deadline_ms",
    )

    def __init__(self, request_id, headers, static):
        self.aws_request_id = request_id
        self.function_name, self.function_version, self.memory_limit_in_mb, \
            self.log_group_name, self.log_stream_name = static
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        try:
            self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", ""))
        except ValueError:
            self._deadline_ms = 0
        raw_client = headers.get("lambda-runtime-client-context")
        if raw_client:
            client_context = _from_dict(ClientContext, _json_or_none(raw_client))
            client_context.client = None if client_context.client is None else _from_dict(Client, client_context.client)
            self.client_context = client_context
        else:
            self.client_context = None
        identity = CognitoIdentity()
        raw_identity = _json_or_none(headers.get("lambda-runtime-cognito-identity"))
        if not isinstance(raw_identity, dict):
            raw_identity = {}
        identity.cognito_identity_id = raw_identity.get("cognitoIdentityId")
        identity.cognito_identity_pool_id = raw_identity.get("cognitoIdentityPoolId")
        self.identity = identity

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, message):
        sys.stdout.write(str(message))


def _encode_default(value):
    # AWS's encoder writes Decimal (what DynamoDB returns) as a number; decimal is only
    # looked up, never imported, so functions that do not use it do not pay for it.
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def _json_codec():
    """(decode, encode) for events and results: the json module's own C scanner and encoder.

    `import json` costs ~6 ms of a ~17 ms interpreter start (it pulls in re, enum and
    collections for the pure-Python fallbacks and the whitespace regex); _json, the C half
    the json module itself runs on, costs ~0.3 ms. A function that imports json pays for it
    then; one that does not, never does. If this interpreter's _json is missing or differs
    (checked here, once), the json module is used instead.
    """
    try:
        import _json

        class ScanContext(object):
            strict = True
            object_hook = None
            object_pairs_hook = None
            parse_float = float
            parse_int = int
            parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__
            memo = None

        scan = _json.make_scanner(ScanContext())
        make_encoder = _json.make_encoder
        encode_string = _json.encode_basestring_ascii

        def decode(data):
            text = (data if isinstance(data, str) else data.decode("utf-8")).strip(" \t\n\r")
            try:
                value, end = scan(text, 0)
            except StopIteration:
                raise ValueError("Expecting value: line 1 column 1 (char 0)")
            except Exception:
                # A malformed document. The scanner builds its error from json.decoder, which
                # on some versions (3.11) it only looks up, never imports: let json say it.
                import json

                return json.loads(text)
            if end != len(text):
                raise ValueError("Extra data at char %d" % end)
            return value

        def encode(value):
            # A new encoder each time: one that raised mid-way keeps stale circular-reference markers.
            return "".join(make_encoder({}, _encode_default, encode_string, None, ":", ",", False, False, False)(value, 0))

        if decode(b' {"a": [1, -2.5e3, "\\u00e9", null, true]} ') != {"a": [1, -2500.0, "\u00e9", None, True]} \
                or encode({"a": [1, 0.5, "\u00e9", None, False]}) != '{"a":[1,0.5,"\\u00e9",null,false]}':
            raise ValueError("_json differs")
        return decode, encode
    except Exception:
        import json

        # Strict JSON (NaN and Infinity refused), as above: the gateway parses what the function returns.
        return json.loads, json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_encode_default).encode


_decode_json, _encode_json = _json_codec()


def _json_or_none(raw):
    if not raw:
        return None
    try:
        return _decode_json(raw)
    except (ValueError, RecursionError):
        return None


class Fault(Exception):
    """A runtime-side failure reported with a Runtime.* error type, as AWS names them."""

    def __init__(self, error_type, message, stack_trace=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace or []


def error_report(exc, request_id=""):
    """{errorMessage, errorType, requestId, stackTrace} for an exception, frames of this file left out."""
    if isinstance(exc, Fault):
        return {"errorMessage": exc.message, "errorType": exc.error_type, "requestId": request_id,
                "stackTrace": exc.stack_trace}
    error_type = type(exc).__name__
    try:
        message = str(exc)
    except BaseException:
        message = "<str() of the exception raised>"
    try:
        import traceback  # on the first error only; a cached lookup afterwards

        frames = traceback.extract_tb(exc.__traceback__)
        # The user's frames only: not the loop's, nor importlib's above a module's top level.
        while frames and (frames[0].filename == _THIS_CODE_FILE or "importlib" in frames[0].filename):
            frames.pop(0)
        stack_trace = traceback.format_list(frames)
    except BaseException:
        stack_trace = []  # source lines come from the function's loaders, which may raise
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack_trace}


def log_error(report):
    """Writes the report to stderr the way AWS's runtime logs it: [ERROR] type: message, then the traceback."""
    text = "[ERROR] %s: %s\n" % (report["errorType"], report["errorMessage"])
    if report["stackTrace"]:
        text += "Traceback (most recent call last):\n" + "".join(report["stackTrace"])
    try:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
        sys.stderr.flush()
    except Exception:
        pass


def load_handler(spec):
    """Imports `module.function` (`pkg/mod.fn` too) from the task root; raises Fault as AWS would."""
    module_name, dot, function_name = spec.rpartition(".")
    if not dot or not module_name or not function_name:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % spec)
    module_name = module_name.replace("/", ".")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict",
                    "Cannot use built-in module %s as a handler module" % module_name)
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, (e.text or "").strip())]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e), trace)
    handler = getattr(module, function_name, None)
    if handler is None:
        raise Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    if not callable(handler):
        raise Fault("Runtime.HandlerNotFound", "Handler '%s' on module '%s' is not callable" % (function_name, module_name))
    return handler


class _Logging(object):
    """Lambda's log lines for the `logging` module, set up only once the function imports it."""

    request_id = ""
    ready = False

    @classmethod
    def install_if_imported(cls):
        logging = sys.modules.get("logging")
        if logging is None:
            return
        cls.ready = True
        root = logging.getLogger()
        if root.handlers:
            return  # the function configured logging itself (basicConfig at import time)
        formatter = logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
            "%Y-%m-%dT%H:%M:%S")
        formatter.converter = time.gmtime
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(formatter)

        def add_request_id(record):
            record.aws_request_id = cls.request_id
            return True

        handler.addFilter(add_request_id)
        root.addHandler(handler)
        level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
        if level in ("DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL", "FATAL"):
            root.setLevel("WARNING" if level == "WARN" else "CRITICAL" if level == "FATAL" else level)


def _flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _set_up_process(task_root):
    # Output reaches the host through pipes, where Python would buffer it in blocks: line
    # buffering makes each printed line a log line as it is written (and flushed again
    # before every response, for a last line without a newline).
    # UTF-8 whatever the locale or PYTHONIOENCODING says: the host reads the pipes as UTF-8.
    for stream, errors in ((sys.stdout, "strict"), (sys.stderr, "backslashreplace")):
        try:
            stream.reconfigure(encoding="utf-8", errors=errors, line_buffering=True)
        except Exception:
            pass
    here = os.path.dirname(_THIS_FILE)
    # The function's modules are found first, and this directory not at all: a module of
    # the function named `bootstrap` must be the function's.
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != here]
    if task_root:
        sys.path.insert(0, task_root)
        try:
            os.chdir(task_root)
        except OSError:
            pass  # the import of the handler reports what is wrong with the task root


def run(client, handler, static):
    """The invocation loop: next, call, respond; returns only when the Runtime API goes away."""
    request = client.request
    decode = _decode_json
    encode = _encode_json
    environ = os.environ
    context_class = LambdaContext
    traced = "_X_AMZN_TRACE_ID" in environ
    while True:
        status, headers, body = request("GET", "/invocation/next")
        if status != 200:
            raise RuntimeApiGone("GET /invocation/next answered %d" % status)
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            environ["_X_AMZN_TRACE_ID"] = trace_id
            traced = True
        elif traced:
            environ.pop("_X_AMZN_TRACE_ID", None)
            traced = False
        _Logging.request_id = request_id
        try:
            try:
                event = decode(body)
            except (ValueError, RecursionError) as e:
                raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
            result = handler(event, context_class(request_id, headers, static))
            try:
                payload = encode(result).encode("utf-8")
            except (TypeError, ValueError, RecursionError) as e:
                raise Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e)
        except BaseException as e:
            # SystemExit and KeyboardInterrupt too: the caller gets an error report and the
            # process keeps serving, rather than dying with the invocation unanswered.
            report = error_report(e, request_id)
            log_error(report)
            _flush_output()
            error_body = _encode_json(report).encode("utf-8")
            status = request("POST", "/invocation/" + request_id + "/error", error_body,
                             _ERROR_TYPE_HEADER + ": " + _header_safe(report["errorType"]) + "\r\n")[0]
        else:
            _flush_output()
            status = request("POST", "/invocation/" + request_id + "/response", payload)[0]
        if status >= 500:
            raise RuntimeApiGone("the Runtime API answered %d" % status)
        if not _Logging.ready:
            _Logging.install_if_imported()


def _header_safe(value):
    return "".join(c for c in value if " " <= c <= "~")[:200] or "Unhandled"


def main():
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.stderr.write("atoll python3 runtime: AWS_LAMBDA_RUNTIME_API is not set\n")
        return 2
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "")
    _set_up_process(task_root)
    static = (
        os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
        os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
        os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
        os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
    )
    try:
        client = RuntimeApiClient(address)
        try:
            handler = load_handler(os.environ.get("_HANDLER") or "lambda_function.lambda_handler")
            _Logging.install_if_imported()
        except BaseException as e:
            report = error_report(e)
            log_error(report)
            _flush_output()
            client.request("POST", "/init/error", _encode_json(report).encode("utf-8"),
                           _ERROR_TYPE_HEADER + ": " + _header_safe(report["errorType"]) + "\r\n")
            return 1
        run(client, handler, static)
    except (RuntimeApiGone, _Closed, OSError, ValueError) as e:
        # The host replaces a worker that lost its Runtime API; there is nothing to retry.
        _flush_output()
        sys.stderr.write("atoll python3 runtime: Runtime API unavailable: %s\n" % e)
        return 1
    return 0


# How frames of this file are named in tracebacks (relative if started by a relative path).
_THIS_CODE_FILE = main.__code__.co_filename

if __name__ == "__main__":
    sys.exit(main())
