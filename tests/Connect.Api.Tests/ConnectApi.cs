using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Api.Tests;

/// <summary>How a <see cref="ConnectApi"/> runs the service. Every field may be left alone.</summary>
public sealed record ConnectApiOptions
{
    /// <summary>Configuration over the service's own (the connection string is the fixture's).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Last changes to the service's services (a capturing logger, a broken handler), after the clock.</summary>
    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>The service's clock; <c>null</c> keeps the real one. <see cref="ConnectApi.StillClock"/> makes the usual fake.</summary>
    public FakeTimeProvider? Clock { get; init; }

    /// <summary>
    /// On a loopback Kestrel port (real framing, header parsing and limits, raw sockets) instead of in memory.
    /// </summary>
    public bool Loopback { get; init; }

    /// <summary>The first instance's loopback port, when the service must know it before it starts (its public URL).</summary>
    public int LoopbackPort { get; init; }

    /// <summary>A rate budget no test reaches, for fixtures whose tests send many requests from one caller.</summary>
    public bool Unthrottled { get; init; }

    /// <summary>
    /// An existing database (a private cluster's, or one that does not answer) instead of a fresh migrated one.
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>Register one application (<see cref="ConnectApi.App"/>) before the first request.</summary>
    public bool SeedApplication { get; init; } = true;

    /// <summary>Start the first instance on initialization; when off, <see cref="ConnectApi.StartInstance"/> starts it.</summary>
    public bool StartService { get; init; } = true;
}

/// <summary>
/// The service under test, one way for every API test: a fresh database cloned from the migrated template, the
/// real service over it (in memory, or on a loopback port), an optional fake clock, one registered application
/// with its private key, and a sender for each kind of request. Used as an xUnit fixture (a subclass names its
/// options) or, for one test, through <see cref="StartAsync"/>.
/// </summary>
public class ConnectApi : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>A connection string no database answers (for tests that never reach one).</summary>
    public const string NoDatabase = "Host=127.0.0.1;Port=1;Database=none;Timeout=1";

    private readonly List<ServiceInstance> _instances = [];
    private ConnectTestDatabase? _db;
    private TestApplication? _app;

    public ConnectApi()
        : this(new ConnectApiOptions())
    {
    }

    public ConnectApi(ConnectApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    private ConnectApi(ConnectApiOptions options, TestApplication? app)
        : this(options)
    {
        _app = app;
    }

    public ConnectApiOptions Options { get; }

    /// <summary>The service's fake clock (fixtures that run on the real clock have none).</summary>
    public FakeTimeProvider Clock => Options.Clock ?? throw new InvalidOperationException("This fixture runs on the real clock.");

    /// <summary>The service's now: the fake clock's, or the real time.</summary>
    public DateTimeOffset Now => Options.Clock?.GetUtcNow() ?? DateTimeOffset.UtcNow;

    public ConnectTestDatabase Db => _db ?? throw new InvalidOperationException("Not initialized.");

    public string ConnectionString { get; private set; } = null!;

    /// <summary>The seeded application, whose private key the tests hold.</summary>
    public TestApplication App => _app ?? throw new InvalidOperationException("No application was seeded.");

    /// <summary>The first instance; <see cref="StartInstance"/> adds more over the same database.</summary>
    public ServiceInstance Service => _instances[0];

    public HttpClient Client => Service.Client;

    public IServiceProvider Services => Service.Services;

    public Uri BaseAddress => Service.Address;

    /// <summary>A client of its own, for requests that must travel side by side.</summary>
    public HttpClient NewClient() => Service.NewClient();

    /// <summary>The whole second nearest below the real time (moved by <paramref name="offset"/>), standing still.</summary>
    public static FakeTimeProvider StillClock(TimeSpan offset = default) =>
        new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.Add(offset).ToUnixTimeSeconds()));

    /// <summary>A fixture for one test: <c>await using var api = await ConnectApi.StartAsync(...)</c>.</summary>
    public static async Task<ConnectApi> StartAsync(ConnectApiOptions? options = null)
    {
        var api = new ConnectApi(options ?? new ConnectApiOptions());
        await api.InitializeAsync();
        return api;
    }

    public virtual async Task InitializeAsync()
    {
        if (Options.ConnectionString is null)
        {
            _db = await ConnectTestDatabase.CreateAsync();
            ConnectionString = _db.ConnectionString;
        }
        else
        {
            ConnectionString = Options.ConnectionString;
            _db = ConnectTestDatabase.For(ConnectionString);
        }

        if (Options.SeedApplication && Options.ConnectionString is null)
        {
            _app = await _db.RegisterApplicationAsync();
        }

        if (Options.StartService)
        {
            StartInstance();
        }
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _instances.Clear();
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The service again over the same database, application and clock, with more settings or services: its own
    /// fixture (and requests), disposed by the test that made it; the database stays this fixture's.
    /// </summary>
    public ConnectApi With(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var sibling = new ConnectApi(
            Options with
            {
                ConnectionString = ConnectionString,
                SeedApplication = false,
                Settings = Options.Settings.Concat(settings ?? new Dictionary<string, string?>())
                    .GroupBy(setting => setting.Key).ToDictionary(group => group.Key, group => group.Last().Value),
                Services = Options.Services + services,
            },
            _app);
        sibling.ConnectionString = ConnectionString;
        sibling._db = ConnectTestDatabase.For(ConnectionString);
        sibling.StartInstance();
        return sibling;
    }

    /// <summary>Another instance of the service over the same database, settings and clock (unless given here).</summary>
    /// <param name="settings">Configuration over the fixture's own.</param>
    /// <param name="clock">A clock of its own (an instance whose clock is skewed).</param>
    /// <param name="services">Changes of its own, after the fixture's.</param>
    public ServiceInstance StartInstance(
        IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>();
        if (Options.Unthrottled)
        {
            all["Connect:RateLimit:BurstLimit"] = "100000";
            all["Connect:RateLimit:TokensPerSecond"] = "100000";
            all["Connect:RateLimit:SessionBurstLimit"] = "100000";
            all["Connect:RateLimit:SessionTokensPerSecond"] = "100000";
        }

        foreach (var (key, value) in Options.Settings.Concat(settings ?? new Dictionary<string, string?>()))
        {
            all[key] = value;
        }

        var serviceClock = clock ?? Options.Clock;
        var factory = new ConnectApiFactory(ConnectionString, all, collection =>
        {
            if (serviceClock is not null)
            {
                collection.AddSingleton<TimeProvider>(serviceClock);
            }

            Options.Services?.Invoke(collection);
            services?.Invoke(collection);
        });
        var instance = ServiceInstance.Start(factory, Options.Loopback, _instances.Count == 0 ? Options.LoopbackPort : 0);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>A client JWT of <paramref name="app"/> (the seeded one by default) over the body, issued at <see cref="Now"/>.</summary>
    public TestClientJwt NewJwt(byte[] body, TestApplication? app = null)
    {
        var issuer = app ?? App;
        return new TestClientJwt(issuer.Anchor.Value, issuer.Key, Now, body);
    }

    /// <summary>Sends a signed revoke-all for <paramref name="subject"/>, as the official SDKs would.</summary>
    public Task<HttpResponseMessage> RevokeAllAsync(TestApplication app, string subject, Action<TestClientJwt>? tamper = null) =>
        RevokeAllAsync(app, RevokeAllBodies.For(subject), tamper);

    /// <summary>Sends exactly <paramref name="body"/>, signed over those bytes (then tampered, if asked).</summary>
    public Task<HttpResponseMessage> RevokeAllAsync(TestApplication app, byte[] body, Action<TestClientJwt>? tamper = null)
    {
        var jwt = NewJwt(body, app);
        tamper?.Invoke(jwt);
        return SendRevokeAllAsync(jwt.AuthorizationHeader(), body);
    }

    /// <summary>A revoke-all with exactly this <c>Authorization</c> value (none when <c>null</c>) and body.</summary>
    public Task<HttpResponseMessage> SendRevokeAllAsync(string? authorization, byte[] body, string contentType = "application/json") =>
        Client.SendAsync(ConnectApiFactory.Request(authorization, body, contentType));

    public Task<HttpResponseMessage> PostAsync(string route, string body, string contentType = "application/json", HttpClient? client = null) =>
        PostAsync(route, Encoding.UTF8.GetBytes(body), contentType, client);

    public Task<HttpResponseMessage> PostAsync(string route, byte[] body, string contentType = "application/json", HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return (client ?? Client).SendAsync(request);
    }

    /// <summary>A GET with exactly this <c>Authorization</c> value (none when <c>null</c>).</summary>
    public Task<HttpResponseMessage> GetAsync(string route, string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, route);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> LogoutAsync(string refreshToken) =>
        PostAsync("/logout", $$"""{"refreshToken":"{{refreshToken}}"}""");

    public Task<HttpResponseMessage> IntrospectAsync(string accessToken) =>
        PostAsync("/introspect", $$"""{"accessToken":"{{accessToken}}"}""");
}

/// <summary>One running service: the factory that owns it, its address and a client of it.</summary>
public sealed class ServiceInstance : IAsyncDisposable
{
    private readonly ConnectApiFactory _factory;
    private readonly bool _loopback;

    private ServiceInstance(ConnectApiFactory factory, bool loopback, Uri address, HttpClient client)
    {
        _factory = factory;
        _loopback = loopback;
        Address = address;
        Client = client;
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>The host itself, for tests that reach into it (its server, or a variant built over it).</summary>
    public ConnectApiFactory Factory => _factory;

    public static ServiceInstance Start(ConnectApiFactory factory, bool loopback, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (!loopback)
        {
            var client = factory.CreateClient();
            return new ServiceInstance(factory, false, client.BaseAddress!, client);
        }

        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single());
        return new ServiceInstance(factory, true, address, new HttpClient { BaseAddress = address });
    }

    /// <summary>A client of its own (its own connection pool), for requests that must travel side by side.</summary>
    public HttpClient NewClient() => _loopback ? new HttpClient { BaseAddress = Address } : _factory.CreateClient();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }
}
