using System.Text.Json;
using Connect.Cli.Database;
using Connect.Infrastructure;
using Connect.Infrastructure.LocalPostgres;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Connect.Cli.Tests;

/// <summary>The embedded default (no ConnectionStrings:Connect), in a checkout of its own.</summary>
public sealed class EmbeddedDatabaseTests
{
    [Fact]
    public async Task Embedded_default_migrates_as_the_superuser_and_serves_as_the_service_role_over_SCRAM()
    {
        var checkout = Directory.CreateTempSubdirectory("connect-embedded-").FullName;
        var port = LoopbackPort.Free();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Connect:EmbeddedDatabase:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .Build();
        Environment.SetEnvironmentVariable("CONNECT_ROOT", checkout);
        try
        {
            var run = await CliDatabase.RunAsync(configuration, ["sector", "create"]);

            run.AssertJson(("sectorId", JsonValueKind.String));
            await using var database = await ConnectDatabase.OpenAsync(configuration, CancellationToken.None);
            var service = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            var migrations = new NpgsqlConnectionStringBuilder(database.MigrationConnectionString);
            Assert.Equal(("connect_service", "ScramSHA256"), (service.Username, service.RequireAuth));
            Assert.Equal(("postgres", "ScramSHA256"), (migrations.Username, migrations.RequireAuth));
            await using var connection = new NpgsqlConnection(migrations.ConnectionString);
            await connection.OpenAsync();
            await using var owners = new NpgsqlCommand("select string_agg(distinct tableowner, ',') from pg_tables where schemaname = 'public'", connection);
            Assert.Equal("postgres", await owners.ExecuteScalarAsync());
        }
        finally
        {
            Environment.SetEnvironmentVariable("CONNECT_ROOT", null);
            NpgsqlConnection.ClearAllPools();
            await LocalPostgresCluster.ForCheckout(checkout, port).DeleteAsync();
            Directory.Delete(checkout, recursive: true);
        }
    }

    /// <summary>
    /// The checkout's private database is a developer's: receivers on this machine are the default there
    /// (docs/contract/signals.md "Receivers"), as for the <c>up</c> that serves it, and an explicit setting still wins.
    /// </summary>
    [Fact]
    public async Task Embedded_default_allows_loopback_receivers_unless_configured_off()
    {
        var checkout = Directory.CreateTempSubdirectory("connect-embedded-").FullName;
        var port = LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var embedded = new Dictionary<string, string?> { ["Connect:EmbeddedDatabase:Port"] = port };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(embedded).Build();
        var off = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>(embedded) { ["Connect:Signals:AllowLoopbackReceivers"] = "false" })
            .Build();
        var anchor = $"app-{Guid.NewGuid():N}";
        var keyFile = Path.Combine(checkout, "key.pem");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            await File.WriteAllTextAsync(keyFile, key.ExportSubjectPublicKeyInfoPem());
        }

        Environment.SetEnvironmentVariable("CONNECT_ROOT", checkout);
        try
        {
            (await CliDatabase.RunAsync(configuration, ["app", "register", "--anchor", anchor, "--public-key", keyFile]))
                .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));

            var allowed = await CliDatabase.RunAsync(
                configuration, ["app", "receiver", "add", "--anchor", anchor, "--url", "http://127.0.0.1:9000/logout", "--format", "caep"]);
            var refused = await CliDatabase.RunAsync(
                off, ["app", "receiver", "add", "--anchor", anchor, "--url", "http://localhost:9000/logout", "--format", "caep"]);

            Assert.Equal("http://127.0.0.1:9000/logout", allowed.AssertJson(
                ("anchor", JsonValueKind.String), ("receiverId", JsonValueKind.String), ("url", JsonValueKind.String),
                ("format", JsonValueKind.String), ("audience", JsonValueKind.String)).GetProperty("url").GetString());
            refused.AssertFailed("allowed only while Connect:Signals:AllowLoopbackReceivers is true");
        }
        finally
        {
            Environment.SetEnvironmentVariable("CONNECT_ROOT", null);
            NpgsqlConnection.ClearAllPools();
            await LocalPostgresCluster.ForCheckout(checkout, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)).DeleteAsync();
            Directory.Delete(checkout, recursive: true);
        }
    }
}
