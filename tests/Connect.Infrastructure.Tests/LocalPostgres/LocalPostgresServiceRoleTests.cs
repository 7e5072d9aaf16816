using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Connect.Testing.Postgres;
using DbUp;
using DbUp.Engine;
using Npgsql;

namespace Connect.Infrastructure.Tests.LocalPostgres;

/// <summary>
/// The service runs as a role that may change Connect's rows and nothing else, and no connection string of a
/// local cluster lets Npgsql hand its password to whatever answers on the port.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalPostgresServiceRoleTests(LocalPostgresServiceRoleTests.Cluster cluster)
    : IClassFixture<LocalPostgresServiceRoleTests.Cluster>
{
    [Fact]
    public async Task Superuser_password_is_never_sent_to_a_server_that_asks_for_it_in_clear()
    {
        // While the cluster is down, anyone may bind its port and ask for the password in clear.
        var password = new NpgsqlConnectionStringBuilder(cluster.Private.ConnectionString).Password!;

        var received = await FakeServer.CollectAsync(cluster.Private.ConnectionString);

        Assert.DoesNotContain(password, received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_password_is_never_sent_to_a_server_that_asks_for_it_in_clear()
    {
        var password = new NpgsqlConnectionStringBuilder(cluster.Private.ServiceConnectionString).Password!;

        var received = await FakeServer.CollectAsync(cluster.Private.ServiceConnectionString);

        Assert.DoesNotContain(password, received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_role_changes_rows_but_nothing_else()
    {
        await using var service = new NpgsqlConnection(cluster.Private.ServiceConnectionString);
        await service.OpenAsync();

        Assert.Equal(1, await ExecuteAsync(service, "insert into sectors (id, name) values (gen_random_uuid(), 'by the service')"));
        Assert.Equal(1L, await ScalarAsync<long>(service, "select count(*) from sectors where name = 'by the service'"));
        Assert.False(await ScalarAsync<bool>(service, "select rolsuper or rolcreatedb or rolcreaterole from pg_roles where rolname = current_user"));
        foreach (var sql in new[]
        {
            "create table intruder (id int)",
            "alter table sectors add column intruder int",
            "drop table revocation_audit",
            "truncate application_keys",
            "create temporary table scratch (id int)",
            "alter table application_keys disable trigger application_keys_revision",
            "set session_replication_role = replica",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(service, sql));
            Assert.True(refused.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }
    }

    [Fact]
    public async Task Table_a_later_migration_creates_is_usable_by_the_service_role_without_naming_it()
    {
        // As a migration written later (0004 onwards) runs: through DbUp, as the superuser, knowing nothing of the role.
        var later = new SqlScript(
            "9999_later.sql",
            "create table later_things (id bigint generated always as identity primary key, name text not null)");
        var result = DeployChanges.To.PostgresqlDatabase(cluster.Private.ConnectionString)
            .WithScripts(later)
            .JournalToPostgresqlTable("public", "later_versions")
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        Assert.True(result.Successful, result.Error?.Message);

        await using var service = new NpgsqlConnection(cluster.Private.ServiceConnectionString);
        await service.OpenAsync();

        Assert.True(await ScalarAsync<long>(service, "insert into later_things (name) values ('new') returning id") > 0);
        Assert.Equal(1, await ExecuteAsync(service, "update later_things set name = 'changed'"));
        Assert.Equal(1, await ExecuteAsync(service, "delete from later_things"));
        await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(service, "drop table later_things"));
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>One throwaway cluster, migrated, for the whole class.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public PrivatePostgresCluster Private { get; private set; } = null!;

        public async Task InitializeAsync() => Private = await PrivatePostgresCluster.StartNewAsync();

        public async Task DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await Private.DisposeAsync();
        }
    }

    /// <summary>
    /// Listens where the connection string points (on a port of its own) and, like a fake server that took the
    /// real one's port, asks the client for its password in clear (AuthenticationCleartextPassword); returns
    /// every byte the client sent as text.
    /// </summary>
    private static class FakeServer
    {
        private const int SslRequest = 80877103;
        private const int GssEncryptionRequest = 80877104;

        public static async Task<string> CollectAsync(string connectionString)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var client = new NpgsqlConnectionStringBuilder(connectionString) { Port = port, Pooling = false, Timeout = 5 }.ConnectionString;

            var serving = ServeAsync(listener);
            await using (var connection = new NpgsqlConnection(client))
            {
                await Assert.ThrowsAnyAsync<Exception>(() => connection.OpenAsync());
            }

            return await serving.WaitAsync(TimeSpan.FromSeconds(10));
        }

        private static async Task<string> ServeAsync(TcpListener listener)
        {
            using var socket = await listener.AcceptTcpClientAsync();
            var stream = socket.GetStream();
            var received = new MemoryStream();

            // The startup message: Int32 length (itself included), then the rest. Requests for TLS or GSS
            // encryption come first and are declined ('N'), as a server without them answers.
            while (true)
            {
                var length = new byte[4];
                await stream.ReadExactlyAsync(length);
                var message = new byte[BinaryPrimitives.ReadInt32BigEndian(length) - 4];
                await stream.ReadExactlyAsync(message);
                received.Write(message);
                if (BinaryPrimitives.ReadInt32BigEndian(message) is not (SslRequest or GssEncryptionRequest))
                {
                    break;
                }

                await stream.WriteAsync(new[] { (byte)'N' });
            }

            // 'R', length 8, code 3: "send me your password in clear".
            await stream.WriteAsync(new byte[] { (byte)'R', 0, 0, 0, 8, 0, 0, 0, 3 });

            var buffer = new byte[4096];
            try
            {
                using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                int read;
                while ((read = await stream.ReadAsync(buffer, quiet.Token)) > 0)
                {
                    received.Write(buffer, 0, read);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The client went quiet or hung up: all it was going to send has been read.
            }

            return Encoding.UTF8.GetString(received.ToArray());
        }
    }
}
