using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Connect.Api.Tests.Attacks;

/// <summary>HTTP/1.1 over a plain socket, byte for byte: for header and framing tricks no client library sends.</summary>
public static class RawHttp
{
    /// <summary>
    /// A <c>POST /revoke-all</c> with the given header lines (written as Latin-1 bytes, unchecked) and body,
    /// framed by Content-Length, or chunked in pieces of <paramref name="chunkSize"/> bytes when given.
    /// </summary>
    public static byte[] Post(IEnumerable<string> headerLines, ReadOnlySpan<byte> body, int? chunkSize = null)
    {
        ArgumentNullException.ThrowIfNull(headerLines);
        var head = new StringBuilder("POST /revoke-all HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var line in headerLines)
        {
            head.Append(line).Append("\r\n");
        }

        if (chunkSize is not { } size)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
            return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body];
        }

        head.Append("Transfer-Encoding: chunked\r\n\r\n");
        var request = new List<byte>(Encoding.Latin1.GetBytes(head.ToString()));
        for (var offset = 0; offset < body.Length; offset += size)
        {
            var chunk = body.Slice(offset, Math.Min(size, body.Length - offset));
            request.AddRange(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            request.AddRange(chunk);
            request.AddRange("\r\n"u8);
        }

        request.AddRange("0\r\n\r\n"u8);
        return [.. request];
    }

    public static async Task<RawResponse> SendAsync(Uri server, byte[] request)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(request, timeout.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (an oversized body): read its answer.
        }

        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException) when (received.Length > 0)
        {
            // A reset after the answer arrived.
        }

        return RawResponse.Parse(received.ToArray());
    }
}

/// <summary>A parsed HTTP/1.1 answer: status, header lines, and the body with chunked framing removed.</summary>
public sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).SingleOrDefault();

    public string BodyText => Encoding.UTF8.GetString(Body);

    public static RawResponse Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidOperationException($"no complete HTTP answer in {bytes.Length} bytes");
        }

        var lines = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(line => new KeyValuePair<string, string>(line[..line.IndexOf(':', StringComparison.Ordinal)], line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToList();
        var rest = bytes.AsSpan(end + 4);
        var chunked = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        return new RawResponse(status, headers, chunked ? Dechunk(rest) : rest.ToArray());
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> framed)
    {
        var body = new List<byte>();
        while (true)
        {
            var lineEnd = framed.IndexOf("\r\n"u8);
            var size = int.Parse(Encoding.ASCII.GetString(framed[..lineEnd]).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return [.. body];
            }

            body.AddRange(framed.Slice(lineEnd + 2, size));
            framed = framed[(lineEnd + 2 + size + 2)..];
        }
    }
}
