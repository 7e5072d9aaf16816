using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text.Json;
using Connect.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Connect.Benchmarks.Signals;

/// <summary>One signal the receiver accepted: whose application (from its URL), about which subject, and when.</summary>
internal sealed record Acceptance(Guid Application, string Subject, DateTime AcceptedAtUtc);

/// <summary>
/// The CAEP receiver of every bench application (docs/contract/bench.md's "a loopback server"): it answers 202 to each
/// Security Event Token pushed to <c>/receivers/{application}</c> and keeps its own log of what it accepted and when.
/// It does not verify signatures (the signals tests do); it reads the subject out of the payload only to tell the
/// signals apart.
/// </summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    /// <summary>A session-revoked SET is well under 2 KB; anything far larger is not one of ours.</summary>
    private const int MaxBodyBytes = 16 * 1024;

    private LoopbackWebServer? _server;
    private ConcurrentQueue<Acceptance> _log = new();
    private long _refused;

    public int Port => _server!.Port;

    /// <summary>Requests that were not a readable session-revoked SET (answered 400, not logged as accepted).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public int Accepted => _log.Count;

    /// <summary>For receivers nothing is meant to reach (the outbox's write measured alone): loopback port 9, discard.</summary>
    public const string UnreachableUrlBase = "http://127.0.0.1:9/receivers/";

    /// <summary>A receiver's URL is this followed by its application's id.</summary>
    public string UrlBase => $"http://127.0.0.1:{Port}/receivers/";

    public static async Task<LoopbackReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var receiver = new LoopbackReceiver();
        receiver._server = await LoopbackWebServer.StartAsync(
            app => app.MapPost("/receivers/{application:guid}", (Guid application, HttpContext context) => receiver.AcceptAsync(application, context)),
            cancellationToken: cancellationToken);
        return receiver;
    }

    /// <summary>Everything accepted since the last call, and a fresh log.</summary>
    public IReadOnlyList<Acceptance> TakeLog() => [.. Interlocked.Exchange(ref _log, new ConcurrentQueue<Acceptance>())];

    private async Task<IResult> AcceptAsync(Guid application, HttpContext context)
    {
        if (context.Request.ContentLength is > MaxBodyBytes)
        {
            Interlocked.Increment(ref _refused);
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        using var body = new StreamReader(context.Request.Body);
        var token = await body.ReadToEndAsync(context.RequestAborted);
        if (SubjectOf(token) is not { } subject)
        {
            Interlocked.Increment(ref _refused);
            return Results.BadRequest();
        }

        _log.Enqueue(new Acceptance(application, subject, DateTime.UtcNow));
        return Results.Accepted();
    }

    /// <summary>The subject-wide signal's <c>sub_id.id</c> (RFC 9493 opaque), or null for anything else.</summary>
    internal static string? SubjectOf(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.TryGetProperty("sub_id", out var subject)
                && subject.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => _server!.DisposeAsync();
}
