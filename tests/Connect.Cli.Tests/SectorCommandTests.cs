using System.Text.Json;
using Connect.Application.Administration;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Cli.Tests;

public sealed class SectorCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    [Theory]
    [InlineData]
    [InlineData("--name", "production")]
    public async Task Sector_create_prints_the_new_sector_id(params string[] name)
    {
        var run = await db.RunAsync(["sector", "create", .. name]);

        var json = run.AssertJson(("sectorId", JsonValueKind.String));
        var sector = new Domain.Applications.SectorId(json.GetProperty("sectorId").GetGuid());
        Assert.True(await db.Services.GetRequiredService<IApplicationRegistry>().SectorExistsAsync(sector, CancellationToken.None));
    }

    [Fact]
    public async Task Two_sectors_get_two_ids()
    {
        var first = (await db.RunAsync("sector", "create")).AssertJson(("sectorId", JsonValueKind.String));

        var second = (await db.RunAsync("sector", "create")).AssertJson(("sectorId", JsonValueKind.String));

        Assert.NotEqual(first.GetProperty("sectorId").GetGuid(), second.GetProperty("sectorId").GetGuid());
    }

    [Theory]
    [InlineData("", "the sector name must not be blank")]
    [InlineData("   ", "the sector name must not be blank")]
    [InlineData("bell\a", "the sector name must not contain control characters")]
    public async Task Blank_or_unprintable_sector_name_is_refused(string name, string message)
    {
        var run = await db.RunAsync("sector", "create", "--name", name);

        run.AssertFailed(message);
    }

    [Fact]
    public async Task Sector_name_over_255_characters_is_refused()
    {
        var run = await db.RunAsync("sector", "create", "--name", new string('n', 256));

        run.AssertFailed("the sector name must be at most 255 characters");
    }
}
