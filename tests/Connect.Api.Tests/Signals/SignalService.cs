using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Connect.Application.Signals;
using Connect.Application.SigningKeys;
using Connect.Testing.Seeding;
using Connect.Testing.Signals;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Connect.Api.Tests.Signals;

/// <summary>
/// The real service (its delivery worker running) over a fresh database, a loopback receiver, and a resolver that
/// maps test host names to chosen addresses. Receivers and signals are written with SQL, as the revocations and the
/// receiver commands would write them.
/// </summary>
internal sealed class SignalService : IAsyncDisposable
{
    public const string Issuer = "https://connect.test";

    private readonly ConnectApi _api;

    private SignalService(TestSignalReceiver receiver, ConnectApiOptions options, ILoggerProvider? logs)
    {
        Receiver = receiver;
        _api = new ConnectApi(options with
        {
            Services = services =>
            {
                services.RemoveAll<IReceiverHostResolver>();
                services.AddSingleton<IReceiverHostResolver>(Resolver);
                if (logs is not null)
                {
                    services.AddSingleton(logs);
                }
            },
        });
    }

    public ConnectTestDatabase Db => _api.Db;

    public TestSignalReceiver Receiver { get; }

    public IReadOnlyDictionary<string, string?> Settings => _api.Options.Settings;

    /// <summary>Names the sender resolves to the given addresses instead of asking DNS.</summary>
    public MappedResolver Resolver { get; } = new();

    /// <summary>The first instance (the host, and so its worker, starts when the instance does).</summary>
    public ServiceInstance Api => _api.Service;

    /// <param name="connectionString">A migrated database of the test's own (a private cluster); a fresh one otherwise.</param>
    /// <param name="logs">Receives the instances' log entries, besides their own loggers.</param>
    public static async Task<SignalService> CreateAsync(
        bool allowLoopback = true, bool start = true, string? connectionString = null, ILoggerProvider? logs = null)
    {
        var receiver = await TestSignalReceiver.StartAsync();
        var service = new SignalService(
            receiver,
            new ConnectApiOptions
            {
                ConnectionString = connectionString,
                SeedApplication = false,
                StartService = start,
                Settings = new Dictionary<string, string?>
                {
                    ["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
                    ["Connect:SessionTokens:Issuer"] = Issuer,
                    ["Connect:Signals:AllowLoopbackReceivers"] = allowLoopback ? "true" : "false",
                    ["Connect:Signals:PollMilliseconds"] = "50",
                },
            },
            logs);
        await service._api.InitializeAsync();
        return service;
    }

    /// <summary>Starts one more service instance over the same database: one more delivery worker.</summary>
    public ServiceInstance StartInstance() => _api.StartInstance();

    /// <summary>After a server restart the pooled connections of the test's own reads and writes are dead too.</summary>
    public void ForgetIdleConnections()
    {
        Db.ForgetIdleConnections();
        using var connection = new NpgsqlConnection(Db.ConnectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    public async Task<TestApplication> RegisterAsync() => await Db.RegisterApplicationAsync();

    public async Task<Guid> AddReceiverAsync(TestApplication app, string url, string format, string? audience = null)
    {
        var id = Guid.NewGuid();
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        await connection.ExecuteAsync(
            "INSERT INTO signal_receivers (id, application_id, url, format, audience) VALUES (@id, @app, @url, @format, @audience)",
            new { id, app = app.Id.Value, url, format, audience = audience ?? app.Anchor.Value });
        return id;
    }

    public async Task<long> AddSignalAsync(
        Guid receiver, string subject, string? sid, string initiatingEntity = "user", DateTimeOffset? endedAt = null)
    {
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        return await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO signals (receiver_id, subject, sid, initiating_entity, ended_at)
            VALUES (@receiver, @subject, @sid, @initiatingEntity, @endedAt) RETURNING id
            """,
            new { receiver, subject, sid, initiatingEntity, endedAt = (endedAt ?? DateTimeOffset.UtcNow).UtcDateTime });
    }

    public async Task<SignalRow?> FindSignalAsync(long id)
    {
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        return await connection.QuerySingleOrDefaultAsync<SignalRow>(
            """
            SELECT state AS State, attempts AS Attempts, last_outcome AS LastOutcome, next_attempt_at AS NextAttemptAt,
                   leased_by AS LeasedBy
            FROM signals WHERE id = @id
            """,
            new { id });
    }

    public async Task<IReadOnlyList<AuditRow>> DeadLetterAuditAsync(Guid receiver)
    {
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        return (await connection.QueryAsync<AuditRow>(
            """
            SELECT application_id AS ApplicationId, receiver_id AS ReceiverId, detail AS Detail
            FROM revocation_audit WHERE kind = 'signal_dead_lettered' AND receiver_id = @receiver
            """,
            new { receiver })).ToList();
    }

    /// <summary>Waits for a condition the worker is to bring about; generous, since the machine is shared.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never happened: {what}");
            await Task.Delay(50);
        }
    }

    public Task DeliveredAsync(long signal) =>
        EventuallyAsync(async () => await FindSignalAsync(signal) is null, $"signal {signal} delivered");

    public Task DeadAsync(long signal) =>
        EventuallyAsync(async () => await FindSignalAsync(signal) is { State: "dead" }, $"signal {signal} dead-lettered");

    /// <summary>
    /// Verifies a received token as a receiver would: Microsoft's own JWT handler, the keys from the service's JWKS
    /// document for the application, the expected typ, issuer and audience.
    /// </summary>
    public async Task<JsonElement> VerifiedPayloadAsync(TestApplication app, string token, string type, string audience)
    {
        var jwks = await Api.Client.GetStringAsync(new Uri($"/applications/{app.Anchor.Value}/jwks.json", UriKind.Relative));
        var parameters = new TokenValidationParameters
        {
            ValidTypes = [type],
            ValidIssuer = Issuer,
            ValidAudience = audience,
            ValidAlgorithms = ["RS256"],
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            RequireExpirationTime = type == SignalTokenMinter.LogoutTokenType,
        };

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);

        Assert.True(result.IsValid, result.Exception?.Message);
        return JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement;
    }

    public static JsonElement Header(string token) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement;

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    internal sealed record SignalRow(string State, int Attempts, string? LastOutcome, DateTime NextAttemptAt, string? LeasedBy);

    internal sealed record AuditRow(Guid ApplicationId, Guid ReceiverId, string Detail);

    internal sealed class MappedResolver : IReceiverHostResolver
    {
        private readonly Dictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase);

        public void Map(string host, params IPAddress[] addresses)
        {
            lock (_names)
            {
                _names[host] = addresses;
            }
        }

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            lock (_names)
            {
                if (_names.TryGetValue(host, out var addresses))
                {
                    return Task.FromResult(addresses);
                }
            }

            return Dns.GetHostAddressesAsync(host, cancellationToken);
        }
    }
}
