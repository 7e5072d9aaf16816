using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Connect.Benchmarks.Load;

/// <summary>What came back: the status, and the value of a 200 (what its <see cref="AnswerKind"/> reads) or the reason of an error (else null).</summary>
internal readonly record struct HttpAnswer(int Status, int? Value, string? Reason);

/// <summary>
/// A minimal HTTP/1.1 keep-alive client over one socket to 127.0.0.1: it writes a request's prepared bytes and
/// reads one response (Content-Length or chunked). The load generator shares the server's two cores, so it
/// does as little as it can per request: no header objects, no content streams, one buffer per connection.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private readonly byte[] _body = new byte[8 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket) => _socket = socket;

    /// <summary>The server said Connection: close, or the socket failed: open a new one.</summary>
    public bool IsClosed { get; private set; }

    public static async Task<RawHttpConnection> OpenAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new RawHttpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <param name="kind">What to read from a 200's body: only that, so revoke-all's answers cost what they did.</param>
    public async Task<HttpAnswer> SendAsync(byte[] request, AnswerKind kind, CancellationToken cancellationToken)
    {
        try
        {
            for (var sent = 0; sent < request.Length;)
            {
                sent += await _socket.SendAsync(request.AsMemory(sent), SocketFlags.None, cancellationToken);
            }

            return await ReadResponseAsync(kind, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            IsClosed = true;
            throw;
        }
    }

    private async Task<HttpAnswer> ReadResponseAsync(AnswerKind kind, CancellationToken cancellationToken)
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync(cancellationToken);
        }

        var head = _buffer.AsSpan(_start, headerEnd);
        if (head.Length < 12 || !head.StartsWith("HTTP/1.1 "u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new IOException("not an HTTP/1.1 response");
        }

        var contentLength = 0;
        var chunked = false;
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (name.SequenceEqual("Content-Length"u8) || Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out _))
                {
                    throw new IOException("bad Content-Length");
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                chunked = value.IndexOf("chunked"u8) >= 0;
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8) && Ascii.EqualsIgnoreCase(value, "close"u8))
            {
                IsClosed = true;
            }
        }

        _start += headerEnd + 4;
        var bodyLength = chunked ? await ReadChunkedAsync(cancellationToken) : await ReadExactAsync(contentLength, cancellationToken);
        var body = _body.AsSpan(0, bodyLength);
        return status == 200
            ? new HttpAnswer(status, ValueOf(kind, body), null)
            : new HttpAnswer(status, null, StringAfter(body, "\"reason\":\""u8));
    }

    private async Task<int> ReadExactAsync(int length, CancellationToken cancellationToken)
    {
        while (_end - _start < length)
        {
            await FillAsync(cancellationToken);
        }

        var kept = Math.Min(length, _body.Length);
        _buffer.AsSpan(_start, kept).CopyTo(_body);
        _start += length;
        return kept;
    }

    private async Task<int> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        var bodyLength = 0;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                await FillAsync(cancellationToken);
            }

            var sizeText = _buffer.AsSpan(_start, lineEnd);
            var extension = sizeText.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(extension < 0 ? sizeText : sizeText[..extension], out int size, out _, 'x'))
            {
                throw new IOException("bad chunk size");
            }

            _start += lineEnd + 2;
            if (size == 0)
            {
                // No trailers from Kestrel here: the last chunk ends with one empty line.
                while (_end - _start < 2)
                {
                    await FillAsync(cancellationToken);
                }

                _start += 2;
                return bodyLength;
            }

            while (_end - _start < size + 2)
            {
                await FillAsync(cancellationToken);
            }

            var kept = Math.Min(size, _body.Length - bodyLength);
            _buffer.AsSpan(_start, kept).CopyTo(_body.AsSpan(bodyLength));
            bodyLength += kept;
            _start += size + 2;
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            var unread = _end - _start;
            if (unread == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            else
            {
                _buffer.AsSpan(_start, unread).CopyTo(_buffer);
                _start = 0;
                _end = unread;
            }
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        _end += read;
    }

    private static int? ValueOf(AnswerKind kind, ReadOnlySpan<byte> body) => kind switch
    {
        AnswerKind.RevokedCount => NumberAfter(body, "\"revokedCount\":"u8),
        AnswerKind.Tokens => HasString(body, "\"accessToken\":\""u8) && HasString(body, "\"refreshToken\":\""u8) ? 1 : 0,
        _ => StatusOf(body),
    };

    private static bool HasString(ReadOnlySpan<byte> body, ReadOnlySpan<byte> marker)
    {
        var at = body.IndexOf(marker);
        return at >= 0 && body.Length > at + marker.Length && body[at + marker.Length] != (byte)'"';
    }

    private static int? StatusOf(ReadOnlySpan<byte> body)
    {
        var status = StringAfter(body, "\"status\":\""u8);
        var code = status is null ? -1 : Array.IndexOf(Expectation.StatusNames, status);
        return code >= 0 ? code : null;
    }

    private static int? NumberAfter(ReadOnlySpan<byte> body, ReadOnlySpan<byte> marker)
    {
        var at = body.IndexOf(marker);
        return at >= 0 && Utf8Parser.TryParse(body[(at + marker.Length)..], out int value, out _) ? value : null;
    }

    private static string? StringAfter(ReadOnlySpan<byte> body, ReadOnlySpan<byte> marker)
    {
        var at = body.IndexOf(marker);
        if (at < 0)
        {
            return null;
        }

        var rest = body[(at + marker.Length)..];
        var end = rest.IndexOf((byte)'"');
        return end < 0 ? null : Encoding.UTF8.GetString(rest[..end]);
    }

    public void Dispose() => _socket.Dispose();
}
