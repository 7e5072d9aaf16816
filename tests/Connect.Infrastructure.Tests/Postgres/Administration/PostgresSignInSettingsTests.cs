using Connect.Application.Administration;
using Connect.Domain.Applications;
using Connect.Testing.Seeding;

namespace Connect.Infrastructure.Tests.Postgres.Administration;

/// <summary>An application's sign-in settings (app update, and the read the sign-in slices use) on the real database.</summary>
public sealed class PostgresSignInSettingsTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task New_application_shows_its_anchor_allows_sign_up_and_no_callback_host()
    {
        var app = await _db.RegisterApplicationAsync();

        var settings = await _db.Applications.FindSignInSettingsAsync(app.Anchor, CancellationToken.None);

        Assert.Equal((null, true, 0, true), (settings!.DisplayName, settings.SignUpOpen, settings.CallbackHosts.Count, settings.Enabled));
        Assert.Equal(app.Anchor.Value, settings.Name);
    }

    [Fact]
    public async Task Each_update_changes_only_what_it_names()
    {
        var app = await _db.RegisterApplicationAsync();

        var named = await UpdateAsync(app, new ApplicationChanges("Shop", null, null));
        var hosts = await UpdateAsync(app, new ApplicationChanges(null, null, ["shop.example", "::1"]));
        var closed = await UpdateAsync(app, new ApplicationChanges(null, false, null));
        var cleared = await UpdateAsync(app, new ApplicationChanges(null, null, []));

        Assert.Equal(
            ["Shop|True|", "Shop|True|shop.example ::1", "Shop|False|shop.example ::1", "Shop|False|"],
            new[] { named, hosts, closed, cleared }.Select(settings =>
                $"{settings!.DisplayName}|{settings.SignUpOpen}|{string.Join(' ', settings.CallbackHosts)}"));
        var read = await _db.Applications.FindSignInSettingsAsync(app.Anchor, CancellationToken.None);
        Assert.Equal(("Shop", false, 0), (read!.Name, read.SignUpOpen, read.CallbackHosts.Count));
    }

    [Fact]
    public async Task Thirty_two_hosts_are_stored_in_their_order()
    {
        var app = await _db.RegisterApplicationAsync();
        string[] many = [.. Enumerable.Range(0, 32).Select(i => $"h{i}.example")];

        var settings = await UpdateAsync(app, new ApplicationChanges(null, null, many));

        Assert.Equal(many, settings!.CallbackHosts);
    }

    [Fact]
    public async Task Unknown_anchor_reads_and_updates_nothing()
    {
        var unknown = new ApplicationAnchor($"nobody-{Guid.NewGuid():N}");

        Assert.Null(await _db.Applications.FindSignInSettingsAsync(unknown, CancellationToken.None));
        Assert.Null(await _db.Applications.UpdateAsync(unknown, new ApplicationChanges("x", true, []), CancellationToken.None));
    }

    [Fact]
    public async Task Update_is_a_new_revision_so_kept_copies_of_the_application_are_reread()
    {
        var app = await _db.RegisterApplicationAsync();
        var before = await _db.CurrentRevisionAsync(app.Anchor);

        await UpdateAsync(app, new ApplicationChanges("Shop", null, null));

        Assert.True(await _db.CurrentRevisionAsync(app.Anchor) > before);
    }

    private Task<ApplicationSignInSettings?> UpdateAsync(TestApplication app, ApplicationChanges changes) =>
        _db.Applications.UpdateAsync(app.Anchor, changes, CancellationToken.None);
}
