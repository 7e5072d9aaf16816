using System.Net;
using Connect.Testing.Postgres;
using Connect.Testing.Seeding;

namespace Connect.Api.Tests.RevokeAll;

public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Database_stopped_answers_503_with_Retry_After_and_the_service_recovers_after_restart()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var db = ConnectTestDatabase.For(cluster.ConnectionString);
        await using var api = new ConnectApiFactory(cluster.ConnectionString);
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 3);
        await ApiAssert.RevokedAsync(await api.RevokeAllAsync(app, "warm-up"), 0);

        await cluster.Cluster.StopAsync();
        var during = await api.RevokeAllAsync(app, subject.Value);
        var healthDuring = await api.CreateClient().GetAsync("/health");
        await cluster.Cluster.StartAsync();
        var after = await api.RevokeAllAsync(app, subject.Value);

        await ApiAssert.ReasonAsync(during, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.NotNull(during.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthDuring.StatusCode);
        Assert.Contains("\"ready\":false", await healthDuring.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await ApiAssert.RevokedAsync(after, 3);
    }
}
