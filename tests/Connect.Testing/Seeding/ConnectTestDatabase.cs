using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.ClientAuthentication;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Infrastructure;
using Connect.Testing.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Testing.Seeding;

/// <summary>
/// A fresh, migrated database with the project's own Infrastructure wired over it, and helpers that set up
/// applications, accounts, subjects and sessions through the project's registries (never raw SQL).
/// </summary>
public sealed class ConnectTestDatabase : IAsyncDisposable
{
    private ConnectTestDatabase(string connectionString, ServiceProvider services)
    {
        ConnectionString = connectionString;
        Services = services;
    }

    public string ConnectionString { get; }

    public IServiceProvider Services { get; }

    public IApplicationRegistry Applications => Services.GetRequiredService<IApplicationRegistry>();

    public IAccountRegistry Accounts => Services.GetRequiredService<IAccountRegistry>();

    public static async Task<ConnectTestDatabase> CreateAsync(CancellationToken cancellationToken = default) =>
        For(await PostgresServer.CreateMigratedDatabaseAsync(cancellationToken));

    /// <summary>Wires the Infrastructure over an existing, migrated database.</summary>
    public static ConnectTestDatabase For(string connectionString)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Connect"] = connectionString })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddConnectInfrastructure()
            .BuildServiceProvider();
        return new ConnectTestDatabase(connectionString, services);
    }

    /// <summary>Registers an application with a fresh 2048-bit key, in a new sector unless one is given.</summary>
    public async Task<TestApplication> RegisterApplicationAsync(string? anchor = null, SectorId? sector = null)
    {
        var sectorId = sector ?? await Applications.CreateSectorAsync("test", CancellationToken.None);
        var rsa = RSA.Create(2048);
        var key = ClientPublicKey.FromSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo());
        var name = new ApplicationAnchor(anchor ?? $"app-{Guid.NewGuid():N}");
        var id = await Applications.RegisterAsync(name, sectorId, key, CancellationToken.None)
            ?? throw new InvalidOperationException($"Anchor {name} is taken.");
        return new TestApplication(name, id, sectorId, rsa, key.Id);
    }

    /// <summary>A new account with its subject in the given sector.</summary>
    public async Task<(AccountId Account, SectorSubject Subject)> CreateAccountWithSubjectAsync(SectorId sector)
    {
        var account = await Accounts.CreateAccountAsync(CancellationToken.None);
        var subject = await Accounts.IssueSubjectAsync(account, sector, CancellationToken.None)
            ?? throw new InvalidOperationException("Subject not issued.");
        return (account, subject);
    }

    public Task<int> IssueSessionsAsync(AccountId account, AppId application, int count, TimeSpan? expiresIn = null)
    {
        var now = DateTimeOffset.UtcNow;
        return Accounts.IssueSessionsAsync(
            account, application, count, now, now + (expiresIn ?? TimeSpan.FromDays(30)), CancellationToken.None);
    }

    /// <summary>Sessions that expired an hour ago: never active, never counted by revoke-all.</summary>
    public Task<int> IssueExpiredSessionsAsync(AccountId account, AppId application, int count)
    {
        var now = DateTimeOffset.UtcNow;
        return Accounts.IssueSessionsAsync(
            account, application, count, now.AddDays(-1), now.AddHours(-1), CancellationToken.None);
    }

    public Task<SessionCounts> CountSessionsAsync(AccountId account, AppId application) =>
        Accounts.CountSessionsAsync(account, application, CancellationToken.None);

    /// <summary>After a server restart the pooled connections are dead; start afresh.</summary>
    /// <summary>The application's revision as the service's directory reads it now.</summary>
    public async Task<long> CurrentRevisionAsync(ApplicationAnchor anchor) =>
        (await Services.GetRequiredService<IClientApplicationDirectory>().FindByAnchorAsync(anchor, CancellationToken.None))
            ?.Revision ?? throw new InvalidOperationException($"No application '{anchor}'.");

    public void ForgetIdleConnections() => Services.GetRequiredService<Npgsql.NpgsqlDataSource>().Clear();

    public async ValueTask DisposeAsync() => await ((ServiceProvider)Services).DisposeAsync();
}

/// <summary>A registered application and the private key only its owner would hold.</summary>
public sealed record TestApplication(ApplicationAnchor Anchor, AppId Id, SectorId Sector, RSA Key, KeyId KeyId);
