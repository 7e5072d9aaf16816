using System.Net;
using Connect.Testing.Postgres;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.RevokeAll;

/// <summary>The service as `./connect up` runs it: as the cluster's service role, not the superuser.</summary>
public sealed class ServiceRoleTests
{
    [Fact]
    public async Task Every_statement_of_a_revoke_all_is_allowed_to_the_service_role()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var db = ConnectTestDatabase.For(cluster.ConnectionString);
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = cluster.ServiceConnectionString });
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 3);

        var first = await api.RevokeAllAsync(app, subject.Value);
        var again = await api.RevokeAllAsync(app, subject.Value);
        var health = await api.GetAsync("/health");

        await ApiAssert.RevokedAsync(first, 3);
        await ApiAssert.RevokedAsync(again, 0);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await using var connection = await api.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var whoAmI = new NpgsqlCommand("select current_user", connection);
        Assert.Equal("connect_service", await whoAmI.ExecuteScalarAsync());
    }
}
