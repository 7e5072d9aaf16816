using System.Security.Cryptography;
using Connect.Application;
using Connect.Application.ClientAuthentication;
using Connect.Application.SigningKeys;
using Connect.Infrastructure;
using Connect.Testing.ClientJwts;
using Connect.Testing.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Cli.Tests;

/// <summary>
/// One fresh, migrated database per test class, the CLI run in-process against it, and the service's own
/// Application and Infrastructure over the same database to check what each command changed.
/// </summary>
public sealed class CliDatabase : IAsyncLifetime
{
    private readonly string _files = Directory.CreateTempSubdirectory("connect-cli-tests-").FullName;
    private IConfiguration _configuration = null!;
    private ServiceProvider _services = null!;

    public const string KeyEncryptionKeySetting = "Connect:SigningKeys:KeyEncryptionKey";

    public IServiceProvider Services => _services;

    /// <summary>The key-encryption key this class's database is configured with, as an operator would set it.</summary>
    public string KeyEncryptionKey { get; } = SigningKeyEncryption.NewKeyEncryptionKey();

    public string ConnectionString { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync();
        ConnectionString = connectionString;
        _configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Connect"] = connectionString,
                [KeyEncryptionKeySetting] = KeyEncryptionKey,
            })
            .Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(_configuration)
            .AddConnectApplication()
            .AddConnectInfrastructure()
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_files, recursive: true);
    }

    /// <summary>Runs <c>connect &lt;args&gt;</c> as the process would, with stdout and stderr captured.</summary>
    public Task<CliRun> RunAsync(params string[] args) => RunAsync(_configuration, args);

    /// <summary>Runs <c>connect &lt;args&gt;</c> with exactly <paramref name="settings"/> as its configuration.</summary>
    public static Task<CliRun> RunWithAsync(IReadOnlyDictionary<string, string?> settings, params string[] args) =>
        RunAsync(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), args);

    /// <summary>Runs <c>connect &lt;args&gt;</c> against any connection string (an unmigrated or unreachable database).</summary>
    public static Task<CliRun> RunAgainstAsync(string connectionString, params string[] args) =>
        RunAsync(
            new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Connect"] = connectionString })
                .Build(),
            args);

    /// <summary>Runs <c>connect &lt;args&gt;</c> with exactly <paramref name="configuration"/> (e.g. the embedded default).</summary>
    public static async Task<CliRun> RunAsync(IConfiguration configuration, string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = await ConnectCli.RunAsync(args, stdout, stderr, configuration);

        return new CliRun(args, exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A file in this class's temporary folder, holding <paramref name="content"/>; returns its path.</summary>
    public string WriteFile(string content)
    {
        var path = Path.Combine(_files, $"{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, content);
        return path;
    }

    public string WritePublicKey(RSA key) => WriteFile(key.ExportSubjectPublicKeyInfoPem());

    public static string NewAnchor() => $"app-{Guid.NewGuid():N}";

    public Task<ClientApplication?> FindApplicationAsync(string anchor) =>
        Services.GetRequiredService<IClientApplicationDirectory>().FindByAnchorAsync(new(anchor), CancellationToken.None);

    /// <summary>
    /// Revokes the account's sessions of the application as POST /revoke-all does: by the account's subject in the
    /// application's sector (issued here if the account has none there yet).
    /// </summary>
    public async Task RevokeAllAsync(string account, string anchor)
    {
        var application = (await FindApplicationAsync(anchor))!;
        var subject = await Services.GetRequiredService<Application.Administration.IAccountRegistry>()
            .IssueSubjectAsync(new Domain.Accounts.AccountId(Guid.Parse(account)), application.Sector, CancellationToken.None);
        await Services.GetRequiredService<Domain.Sessions.IRefreshTokenRevoker>()
            .RevokeAllActiveAsync(application.Sector, subject!.Value, application.Id, CancellationToken.None);
    }

    /// <summary>Authenticates a fresh client JWT signed by <paramref name="key"/> exactly as POST /revoke-all would.</summary>
    public async Task<Domain.Outcomes.ReasonCode?> AuthenticateAsync(string anchor, RSA key, string? keyId = null)
    {
        var body = RevokeAllBodies.For("any-subject");
        var jwt = new TestClientJwt(anchor, key, DateTimeOffset.UtcNow, body);
        if (keyId is not null)
        {
            jwt.Header["kid"] = keyId;
        }

        var outcome = await Services.GetRequiredService<ClientJwtPolicy>()
            .AuthenticateAsync(jwt.AuthorizationHeader(), body, CancellationToken.None);
        return outcome.Failure;
    }
}
