using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Connect.Application.ClientAuthentication;
using Connect.Application.Introspect;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Infrastructure.Postgres;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Npgsql;

namespace Connect.Benchmarks.Hosting;

/// <summary>
/// The hand-written baselines (<see cref="HandwrittenSessionEndpoints"/> for /refresh and /introspect,
/// <see cref="HandwrittenRedeem"/> for /redeem) and, here,
/// POST /revoke-all as one minimal ASP.NET Core endpoint, with the same checks in
/// the contract's order (it calls the same <see cref="ClientJwtPolicy"/>), the same SQL (the adapters' own
/// constants, one pooled connection per statement as the adapters open them) and the same per-application
/// rate budget, but no MVC, authentication handler, MediatR, FluentValidation, Dapper or layers. What the
/// service spends beyond this is the framework's tax.
/// </summary>
internal static class HandwrittenService
{
    public const string Command = "serve-handwritten";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        // The service's own logging levels (its appsettings.json): nothing per request.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 50;
            kestrel.Limits.MaxRequestLineSize = 4 * 1024;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
        });

        var configuration = builder.Configuration;
        var connectionString = configuration.GetConnectionString("Connect")
            ?? throw new InvalidOperationException("ConnectionStrings:Connect is not set.");
        await using var dataSource = PostgresDataSourceFactory.Create(connectionString, new PostgresOptions());
        var endpoint = new HandwrittenRevokeAll(
            dataSource,
            configuration.GetValue("Connect:Requests:MaxBodyBytes", 4096),
            configuration.GetValue("Connect:RateLimit:BurstLimit", 100),
            configuration.GetValue("Connect:RateLimit:TokensPerSecond", 50));

        // The session-token endpoints: the service's token component, issuer and key-encryption key, configured as
        // the service is (Connect:SessionTokens, Connect:SigningKeys, Connect:Sessions), one bucket per application.
        using var sessionBudget = PartitionedRateLimiter.Create<string, string>(anchor => RateLimitPartition.GetTokenBucketLimiter(
            anchor,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = configuration.GetValue("Connect:RateLimit:BurstLimit", 100),
                TokensPerPeriod = configuration.GetValue("Connect:RateLimit:TokensPerSecond", 50),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        var signingKeys = new HandwrittenSigningKeys(dataSource, new SigningKeyEncryption(Options.Create(
            configuration.GetSection(SigningKeyOptions.SectionName).Get<SigningKeyOptions>() ?? new SigningKeyOptions())));
        var sessionTokens = new SessionTokenCodec(TimeProvider.System, Options.Create(
            configuration.GetSection(SessionTokenOptions.SectionName).Get<SessionTokenOptions>() ?? new SessionTokenOptions()));
        var sessionEndpoints = new HandwrittenSessionEndpoints(
            dataSource,
            signingKeys,
            sessionTokens,
            sessionBudget,
            configuration.GetValue($"{IntrospectOptions.SectionName}:IntrospectRecheckSeconds", IntrospectOptions.DefaultRecheckSeconds));

        var app = builder.Build();
        app.MapPost("/revoke-all", endpoint.HandleAsync);
        app.MapPost("/refresh", sessionEndpoints.RefreshAsync);
        app.MapPost("/introspect", sessionEndpoints.IntrospectAsync);
        // /redeem has no per-application budget in the service either (the three keys are its credential).
        app.MapPost("/redeem", new HandwrittenRedeem(
            dataSource, signingKeys, sessionTokens, configuration.GetValue("Connect:Requests:MaxBodyBytes", 4096)).RedeemAsync);
        app.MapGet("/health", (HttpContext context) => context.Response.WriteAsync("""{"ready":true,"service":"handwritten"}"""));
        using var purge = new CancellationTokenSource();
        var purger = endpoint.PurgeReplaysEveryMinuteAsync(purge.Token);
        await app.RunAsync();
        await purge.CancelAsync();
        await purger;
        endpoint.Dispose();
        return 0;
    }
}

internal sealed class HandwrittenRevokeAll : IDisposable
{
    private readonly NpgsqlDataSource _database;
    private readonly int _maxBodyBytes;
    private readonly ClientJwtPolicy _policy;
    private readonly PartitionedRateLimiter<string> _budget;

    public HandwrittenRevokeAll(NpgsqlDataSource database, int maxBodyBytes, int burst, int perSecond)
    {
        _database = database;
        _maxBodyBytes = maxBodyBytes;
        _policy = new ClientJwtPolicy(
            new Applications(database), new Replays(database), TimeProvider.System, Options.Create(new ClientJwtOptions()));
        _budget = PartitionedRateLimiter.Create<string, string>(anchor => RateLimitPartition.GetTokenBucketLimiter(
            anchor,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        try
        {
            if (request.ContentLength > _maxBodyBytes)
            {
                await FailAsync(context, ReasonCode.BodyTooLarge);
                return;
            }

            if (!IsJson(request))
            {
                await FailAsync(context, ReasonCode.UnsupportedMediaType);
                return;
            }

            var body = await ReadBoundedAsync(request.Body, cancellationToken);
            if (body is null)
            {
                await FailAsync(context, ReasonCode.BodyTooLarge);
                return;
            }

            var authorization = request.Headers.Authorization;
            // As the service's: accepted with the replay record left to the revoking statement.
            var caller = authorization.Count > 1
                ? Outcome<AuthenticatedApplication>.Failed(ReasonCode.ClientJwtMalformed)
                : (await _policy.DecideAsync(authorization.ToString(), body, recordLater: true, cancellationToken)).Outcome;
            if (!caller.Succeeded)
            {
                await FailAsync(context, caller.Failure!);
                return;
            }

            using (var lease = _budget.AttemptAcquire(caller.Value!.Anchor.Value))
            {
                if (!lease.IsAcquired)
                {
                    context.Response.Headers.RetryAfter = "1";
                    await FailAsync(context, await RecordedRefusalAsync(caller.Value, ReasonCode.RateLimited, cancellationToken));
                    return;
                }
            }

            if (ReadSubject(body) is not { } subject)
            {
                await FailAsync(context, await RecordedRefusalAsync(caller.Value, ReasonCode.InvalidBody, cancellationToken));
                return;
            }

            var revoked = await RevokeAsync(caller.Value, subject, cancellationToken);
            if (!revoked.Succeeded)
            {
                await FailAsync(context, revoked.Failure!);
                return;
            }

            await AnswerAsync(context.Response, string.Create(CultureInfo.InvariantCulture, $$"""{"revokedCount":{{revoked.Value}}}"""));
        }
        catch (NpgsqlException)
        {
            context.Response.Headers.RetryAfter = "5";
            await FailAsync(context, ReasonCode.ServiceUnavailable);
        }
    }

    // A refusal after the client JWT was accepted: its record written first, so a replay answers as one.
    private static async Task<ReasonCode> RecordedRefusalAsync(
        AuthenticatedApplication caller, ReasonCode refusal, CancellationToken cancellationToken) =>
        caller.Unrecorded is { } unrecorded && await unrecorded.RecordAsync(cancellationToken) is { Succeeded: false } recorded
            ? recorded.Failure!
            : refusal;

    private async Task<Outcome<int>> RevokeAsync(AuthenticatedApplication caller, string subject, CancellationToken cancellationToken)
    {
        var use = caller.Unrecorded?.Use;
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var revoke = new NpgsqlCommand(
            use is null ? PostgresRefreshTokenRevoker.RevokeAllActiveSql : PostgresRefreshTokenRevoker.RecordAndRevokeAllActiveSql,
            connection);
        revoke.Parameters.AddWithValue("Sector", caller.Sector.Value);
        revoke.Parameters.AddWithValue("Subject", subject);
        revoke.Parameters.AddWithValue("Application", caller.Id.Value);
        if (use is null)
        {
            // The statement finds the subject's account, revokes, and writes the audit row and the signals; it answers
            // the count it audited, or NULL when the subject names no account in the sector.
            return await revoke.ExecuteScalarAsync(cancellationToken) is int revoked ? revoked : 0;
        }

        revoke.Parameters.AddWithValue("Revision", use.Revision);
        revoke.Parameters.AddWithValue("Jti", use.Jti);
        revoke.Parameters.AddWithValue("KeepFor", use.KeepUntil - DateTimeOffset.UtcNow);
        await using var row = await revoke.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        if (row.GetInt32(0) == 0)
        {
            return row.IsDBNull(1) ? 0 : row.GetInt32(1);
        }

        // A replay or a changed application (the bench causes neither): decided again with the record alone, as the
        // service does; a changed application's revocation is not repeated here.
        var decided = await caller.Unrecorded!.RecordAsync(cancellationToken);
        return decided.Succeeded ? ReasonCode.ServiceUnavailable : decided.Failure!;
    }

    private async Task<int> PurgeBatchAsync(int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var purge = new NpgsqlCommand(PostgresClientJwtReplayStore.PurgeExpiredSql, connection);
        purge.Parameters.AddWithValue("BatchSize", batchSize);
        return await purge.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task PurgeReplaysEveryMinuteAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        try
        {
            // As the service purges: batches of the default size with the default pause between them.
            var defaults = new PostgresOptions();
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                while (await PurgeBatchAsync(defaults.ReplayPurgeBatchSize, cancellationToken) == defaults.ReplayPurgeBatchSize)
                {
                    await Task.Delay(defaults.ReplayPurgeBatchPause, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    public void Dispose() => _budget.Dispose();

    internal static bool IsJson(HttpRequest request)
    {
        if (request.Headers.ContentEncoding.Count > 0
            || !MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return mediaType.Parameters.All(parameter =>
            parameter.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)
            && HeaderUtilities.RemoveQuotes(parameter.Value).Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        // As the service reads it: into a rented buffer, wiped before it goes back.
        var buffer = ArrayPool<byte>.Shared.Rent(_maxBodyBytes + 1);
        var length = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(length, _maxBodyBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
                if (length > _maxBodyBytes)
                {
                    return null;
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            buffer.AsSpan(0, length).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One JSON object whose one "subject" is a non-empty printable string of at most 255 characters.</summary>
    private static string? ReadSubject(byte[] body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? subject = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("subject"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                if (subject is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }

                subject = reader.GetString();
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return null;
            }

            return subject is { Length: > 0 and <= 255 } && subject.EnumerateRunes().All(r => r != Rune.ReplacementChar && !Rune.IsControl(r))
                ? subject
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task FailAsync(HttpContext context, ReasonCode reason)
    {
        var response = context.Response;
        response.StatusCode = reason.Status;
        if (reason.Status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = ClientJwtPolicy.Scheme;
        }

        if (reason.IsPrivate)
        {
            response.ContentLength = 0;
            return;
        }

        await AnswerAsync(response, $$"""{"reason":"{{reason.Name}}"}""");
    }

    /// <summary>As the service answers: whole, with its Content-Length (not chunked), never cached.</summary>
    private static async Task AnswerAsync(HttpResponse response, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        response.Headers.CacheControl = "no-store";
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }

    private sealed class Applications(NpgsqlDataSource database) : IClientApplicationDirectory
    {
        public async Task<ClientApplication?> FindByAnchorAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var find = new NpgsqlCommand(PostgresClientApplicationDirectory.FindByAnchorSql, connection);
            find.Parameters.AddWithValue("Anchor", anchor.Value);
            await using var rows = await find.ExecuteReaderAsync(cancellationToken);
            ClientApplication? application = null;
            var keys = new List<ClientKey>();
            while (await rows.ReadAsync(cancellationToken))
            {
                application ??= new ClientApplication(
                    new AppId(rows.GetGuid(0)),
                    new ApplicationAnchor(rows.GetString(1)),
                    new SectorId(rows.GetGuid(2)),
                    rows.GetInt64(3),
                    rows.GetBoolean(4),
                    keys);
                if (!rows.IsDBNull(5))
                {
                    keys.Add(new ClientKey(new KeyId(rows.GetString(5)), rows.GetFieldValue<byte[]>(6)));
                }
            }

            return application;
        }
    }

    private sealed class Replays(NpgsqlDataSource database) : IClientJwtReplayStore
    {
        public async Task<JtiRecording> TryRecordFirstUseAsync(
            AppId application, long revision, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken)
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var record = new NpgsqlCommand(PostgresClientJwtReplayStore.RecordSql, connection);
            record.Parameters.AddWithValue("Application", application.Value);
            record.Parameters.AddWithValue("Jti", jti);
            record.Parameters.AddWithValue("KeepFor", keepUntil - DateTimeOffset.UtcNow);
            record.Parameters.AddWithValue("Revision", revision);
            return (int)(await record.ExecuteScalarAsync(cancellationToken))! switch
            {
                0 => JtiRecording.FirstUse,
                1 => JtiRecording.Replayed,
                _ => JtiRecording.ApplicationChanged,
            };
        }
    }
}
