using System.Diagnostics;
using System.Net;
using Connect.Api.Tests.Observability;
using Connect.Infrastructure.Postgres;
using Connect.Testing.Postgres;
using Connect.Testing.Seeding;
using Microsoft.Extensions.Logging;

namespace Connect.Api.Tests.RevokeAll;

public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Database_stopped_answers_503_with_Retry_After_and_the_service_recovers_after_restart()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = cluster.ConnectionString });
        var db = api.Db;
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 3);
        await ApiAssert.RevokedAsync(await api.RevokeAllAsync(app, "warm-up"), 0);

        await cluster.Cluster.StopAsync();
        var during = await api.RevokeAllAsync(app, subject.Value);
        var healthDuring = await api.GetAsync("/health");
        await cluster.Cluster.StartAsync();
        var after = await api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.ReasonAsync(during, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.NotNull(during.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthDuring.StatusCode);
        Assert.Contains("\"ready\":false", await healthDuring.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await ApiAssert.RevokedAsync(after, 3);
    }

    [Fact]
    public async Task An_outage_under_load_is_a_warning_every_few_seconds_not_an_error_with_a_stack_trace_per_request()
    {
        var logs = new CapturingLoggerProvider();
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions
        {
            ConnectionString = cluster.ConnectionString,
            Services = services => logs.CaptureEverything(services),
        });
        var app = await api.Db.RegisterApplicationAsync();
        await ApiAssert.RevokedAsync(await api.RevokeAllAsync(app, "warm-up"), 0);

        await cluster.Cluster.StopAsync();
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => api.RevokeAllAsync(app, $"subject-{i}")));
        var seconds = clock.Elapsed.TotalSeconds;

        foreach (var answer in answers)
        {
            await ApiAssert.ReasonAsync(answer, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        }

        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Error);
        var reports = logs.Entries.Where(entry => entry.EventId.Name == "DatabaseUnavailable").ToList();
        Assert.NotEmpty(reports);
        Assert.InRange(reports.Count, 1, 1 + (int)(seconds / PostgresOutages.ClearInterval.TotalSeconds));
        Assert.All(reports, report => Assert.Equal(LogLevel.Warning, report.Level));
        Assert.Equal(1, reports[0].Fields["Answered"]);
        Assert.Contains("Npgsql", reports[0].Text, StringComparison.Ordinal);
        Assert.InRange(reports.Sum(report => (int)report.Fields["Answered"]!), 1, answers.Length);
    }

    [Fact]
    public async Task No_writable_node_behind_a_read_write_connection_string_answers_503_not_500()
    {
        // What the instances of ./connect cluster up see during a failover: every node read-only or gone.
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var readWrite = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString);

        // The same server twice: Npgsql takes the multi-host path only for more than one host.
        readWrite.Host = $"{readWrite.Host}:{readWrite.Port},{readWrite.Host}:{readWrite.Port}";
        readWrite.TargetSessionAttributes = "read-write";
        await using (var admin = new Npgsql.NpgsqlConnection(db.ConnectionString))
        {
            await admin.OpenAsync();
            await using var readOnly = new Npgsql.NpgsqlCommand($"ALTER DATABASE \"{readWrite.Database}\" SET default_transaction_read_only = on", admin);
            await readOnly.ExecuteNonQueryAsync();
        }

        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = readWrite.ConnectionString });

        var during = await api.RevokeAllAsync(app, "any-subject");
        var health = await api.GetAsync("/health");

        await ApiAssert.ReasonAsync(during, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.NotNull(during.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }
}
