using Connect.Infrastructure.Postgres;
using Connect.Testing.Postgres;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

/// <summary>
/// Under overload every request waiting for a connection fails at once: that is an outage to answer (503), but
/// not a reason to drop and reconnect the whole pool. A real connection failure is, once per interval.
/// </summary>
public sealed class PostgresOutagesTests
{
    [Fact]
    public async Task A_wait_for_a_full_pool_is_an_outage_that_leaves_the_pool_as_it_is()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync();
        await using var dataSource = PostgresDataSourceFactory.Create(
            connectionString + ";Timeout=1", new PostgresOptions { MaxPoolSize = 1 });
        var outages = new PostgresOutages(dataSource, new FakeTimeProvider());
        int backendBefore;
        var waits = new List<Exception>();
        await using (var busy = await dataSource.OpenConnectionAsync())
        {
            backendBefore = await busy.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");

            // Load: requests that find the one connection taken, each waiting out the pool's timeout.
            foreach (var _ in Enumerable.Range(0, 3))
            {
                waits.Add(await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await dataSource.OpenConnectionAsync()));
            }
        }

        var cleared = waits.Select(outages.ForgetIdleConnectionsAfter).ToList();

        Assert.All(waits, wait => Assert.True(PostgresOutages.IsOutage(wait)));
        Assert.All(cleared, Assert.False);
        await using var after = await dataSource.OpenConnectionAsync();
        Assert.Equal(backendBefore, await after.ExecuteScalarAsync<int>("SELECT pg_backend_pid()"));
    }

    [Fact]
    public async Task A_refused_connection_clears_the_pool_at_most_once_per_interval()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync();
        await using var dataSource = PostgresDataSourceFactory.Create(connectionString, new PostgresOptions { MaxPoolSize = 1 });
        var clock = new FakeTimeProvider();
        var outages = new PostgresOutages(dataSource, clock);
        await using var nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=none;Timeout=2");
        var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await nowhere.OpenConnectionAsync());
        int backendBefore;
        await using (var first = await dataSource.OpenConnectionAsync())
        {
            backendBefore = await first.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
        }

        var clearedFirst = outages.ForgetIdleConnectionsAfter(refused);
        var clearedAgainAtOnce = outages.ForgetIdleConnectionsAfter(refused);
        clock.Advance(PostgresOutages.ClearInterval);
        var clearedAfterTheInterval = outages.ForgetIdleConnectionsAfter(refused);

        Assert.True(PostgresOutages.IsOutage(refused));
        Assert.Equal((true, false, true), (clearedFirst, clearedAgainAtOnce, clearedAfterTheInterval));
        await using var after = await dataSource.OpenConnectionAsync();
        Assert.NotEqual(backendBefore, await after.ExecuteScalarAsync<int>("SELECT pg_backend_pid()"));
    }

    [Fact]
    public void A_server_shutting_down_is_a_connection_failure_and_a_constraint_violation_is_not_an_outage()
    {
        var shutdown = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01");
        var violation = new PostgresException("duplicate key", "ERROR", "ERROR", "23505");

        Assert.True(PostgresOutages.IsConnectionFailure(shutdown));
        Assert.False(PostgresOutages.IsConnectionFailure(violation));
        Assert.False(PostgresOutages.IsOutage(violation));
    }
}
