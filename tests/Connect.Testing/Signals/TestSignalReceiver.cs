using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Connect.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Connect.Testing.Signals;

/// <summary>
/// A signal receiver on a loopback port, as an application would run one: it records every request that arrives
/// (path, media type, the token) and answers as each path is told: a list of replies, then 204. It also records,
/// per signal (its sid, else its subject), how many requests were in progress at once, so a test can see that no
/// signal was ever sent twice at the same time. (A huge answer body is <see cref="HugeAnswerServer"/>'s, on a raw
/// socket, where what is sent is what the sender read.)
/// </summary>
public sealed class TestSignalReceiver : IAsyncDisposable
{
    private LoopbackWebServer? _server;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceiverReply>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedSignal> _received = new();
    private readonly ConcurrentDictionary<string, int> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _maxActive = new(StringComparer.Ordinal);

    private TestSignalReceiver()
    {
    }

    public int Port => _server!.Port;

    /// <summary>Every request received so far, in order of arrival.</summary>
    public IReadOnlyList<ReceivedSignal> Received => _received.ToArray();

    /// <summary>The most requests for one signal (its sid, else its subject) that were ever in progress at once.</summary>
    public int MostAtOnce(string signalKey) => _maxActive.GetValueOrDefault(signalKey);

    /// <summary>Starts on <paramref name="port"/> of 127.0.0.1, or on a free one.</summary>
    public static async Task<TestSignalReceiver> StartAsync(int port = 0)
    {
        var receiver = new TestSignalReceiver();
        receiver._server = await LoopbackWebServer.StartAsync(app => app.Run(receiver.AnswerAsync), port);
        return receiver;
    }

    public string UrlFor(string path) => $"http://127.0.0.1:{Port}/{path}";

    /// <summary>The next requests to <paramref name="path"/> are answered with <paramref name="replies"/>, in order; then 204.</summary>
    public void Script(string path, params ReceiverReply[] replies)
    {
        var queue = _scripts.GetOrAdd("/" + path, _ => new ConcurrentQueue<ReceiverReply>());
        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }
    }

    /// <summary>What arrived at <paramref name="path"/>.</summary>
    public IReadOnlyList<ReceivedSignal> At(string path) => Received.Where(signal => signal.Path == "/" + path).ToList();

    public ValueTask DisposeAsync() => _server!.DisposeAsync();

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var text = Encoding.ASCII.GetString(body.ToArray());
        var mediaType = request.ContentType;
        var token = mediaType == "application/x-www-form-urlencoded" && text.StartsWith("logout_token=", StringComparison.Ordinal)
            ? Uri.UnescapeDataString(text["logout_token=".Length..])
            : text;
        var key = SignalKey(token);
        var received = new ReceivedSignal(path, mediaType, request.Headers.Accept.ToString(), token, key, DateTimeOffset.UtcNow);
        _received.Enqueue(received);

        var now = _active.AddOrUpdate(key, 1, (_, count) => count + 1);
        _maxActive.AddOrUpdate(key, now, (_, most) => Math.Max(most, now));
        try
        {
            var reply = _scripts.TryGetValue(path, out var queue) && queue.TryDequeue(out var next) ? next : ReceiverReply.Status(204);
            await ReplyAsync(context, reply);
        }
        finally
        {
            _active.AddOrUpdate(key, 0, (_, count) => count - 1);
        }
    }

    private static async Task ReplyAsync(HttpContext context, ReceiverReply reply)
    {
        if (reply.Delay is { } delay)
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        if (reply.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        context.Response.StatusCode = reply.StatusCode;
        foreach (var (name, value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }
    }

    private static string SignalKey(string token)
    {
        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
            var root = payload.RootElement;
            if (root.TryGetProperty("sid", out var sid))
            {
                return sid.GetString()!;
            }

            if (root.TryGetProperty("sub", out var sub))
            {
                return sub.GetString()!;
            }

            var subId = root.GetProperty("sub_id");
            return subId.TryGetProperty("session", out var session)
                ? session.GetProperty("id").GetString()!
                : subId.GetProperty("id").GetString()!;
        }
        catch (Exception exception) when (exception is JsonException or FormatException or IndexOutOfRangeException or KeyNotFoundException or InvalidOperationException)
        {
            return "(not a token)";
        }
    }
}

/// <summary>One request that reached the receiver.</summary>
public sealed record ReceivedSignal(string Path, string? ContentType, string Accept, string Token, string SignalKey, DateTimeOffset At);

/// <summary>How the receiver answers one request.</summary>
public sealed record ReceiverReply(int StatusCode)
{
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    public TimeSpan? Delay { get; init; }

    public bool Hang { get; init; }

    public static ReceiverReply Status(int status, params (string Name, string Value)[] headers) => new(status) { Headers = headers };

    public static ReceiverReply After(TimeSpan delay, int status) => new(status) { Delay = delay };

    public static ReceiverReply NeverAnswer() => new(204) { Hang = true };
}
