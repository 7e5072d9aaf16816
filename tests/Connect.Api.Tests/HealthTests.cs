using System.Net;
using Connect.Testing.Postgres;

namespace Connect.Api.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_ready_when_the_database_answers()
    {
        await using var api = new ConnectApiFactory(await PostgresServer.CreateMigratedDatabaseAsync());

        var response = await api.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"ready":true,"service":"connect","version":"0.1.0"}""", await response.Content.ReadAsStringAsync());
    }
}
