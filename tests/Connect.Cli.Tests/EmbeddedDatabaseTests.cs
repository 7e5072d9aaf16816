using System.Text.Json;
using Connect.Cli.Database;
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
        var port = LocalPostgresCluster.GetFreeTcpPort();
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
}
