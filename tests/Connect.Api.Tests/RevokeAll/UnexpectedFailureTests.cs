using System.Net;
using Connect.Application.RevokeAll;
using Connect.Api.Tests.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSubstitute;

namespace Connect.Api.Tests.RevokeAll;

public sealed class UnexpectedFailureTests
{
    [Fact]
    public async Task Bug_in_a_port_is_a_private_500_with_a_zero_byte_body()
    {
        // The port revoke-all writes with: its statement records the client JWT's use and revokes.
        var broken = Substitute.For<IRecordingRevoker>();
        broken.RevokeAllActiveAsync(default, default, default!, default)
            .ReturnsForAnyArgs<RecordedRevocation>(_ => throw new InvalidOperationException("secret internal detail"));
        var logs = new CapturingLoggerProvider();
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions
        {
            Services = services => logs.CaptureEverything(services.AddSingleton(broken)),
        });

        var response = await api.RevokeAllAsync(api.App, "any-subject");

        await ApiAssert.EmptyAsync(response, HttpStatusCode.InternalServerError);

        // The detail is the log's: a bug keeps the framework's error with its exception (only outages are left out).
        var error = Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Error);
        Assert.Contains("secret internal detail", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Constraint_violation_is_a_bug_not_an_outage()
    {
        var violation = new Npgsql.PostgresException("duplicate", "ERROR", "ERROR", "23505");

        var isOutage = Connect.Infrastructure.Postgres.PostgresOutages.IsOutage(violation);

        Assert.False(isOutage);
    }

    [Fact]
    public void Connection_failure_is_an_outage()
    {
        var refused = new Npgsql.NpgsqlException("refused", new System.Net.Sockets.SocketException(111));

        var isOutage = Connect.Infrastructure.Postgres.PostgresOutages.IsOutage(refused);

        Assert.True(isOutage);
    }

    [Fact]
    public void Multi_host_source_with_no_writable_node_is_an_outage()
    {
        var noneWritable = new Npgsql.NpgsqlException("No suitable host was found.");
        var everyAttemptFailed = new Npgsql.NpgsqlException(
            "Unable to connect to a suitable host.",
            new AggregateException(
                new Npgsql.NpgsqlException("refused", new System.Net.Sockets.SocketException(111)),
                new Npgsql.NpgsqlException("timed out", new TimeoutException())));

        var outages = (Connect.Infrastructure.Postgres.PostgresOutages.IsOutage(noneWritable),
            Connect.Infrastructure.Postgres.PostgresOutages.IsOutage(everyAttemptFailed));

        Assert.Equal((true, true), outages);
    }
}
