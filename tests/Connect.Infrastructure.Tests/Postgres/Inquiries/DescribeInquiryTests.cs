using Connect.Application.DescribeInquiry;
using Connect.Application.Inquiries;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Inquiries;

/// <summary>The sign-in page's read query over the real inquiry store.</summary>
public sealed class DescribeInquiryTests : IAsyncLifetime
{
    // Whole seconds, so that times read back from the database compare equal.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private ConnectTestDatabase _db = null!;
    private TestApplication _app = null!;
    private IInquiryStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await ConnectTestDatabase.CreateAsync();
        _app = await _db.RegisterApplicationAsync();
        _store = _db.Services.GetRequiredService<IInquiryStore>();
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private Task<InquiryDescription> DescribeAsync(string exposureKey) =>
        new DescribeInquiryHandler(_store, _clock).Handle(new DescribeInquiryQuery(exposureKey), CancellationToken.None);

    private async Task<string> NewInquiryAsync()
    {
        var exposureKey = InquiryKeys.NewKey();
        var now = _clock.GetUtcNow();
        await _store.CreateAsync(
            new NewInquiry(
                Guid.CreateVersion7(), _app.Id, exposureKey, InquiryKeys.Hash(InquiryKeys.NewKey()), null, null, null,
                null, now, now.AddMinutes(10)),
            CancellationToken.None);
        return exposureKey;
    }

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.ExecuteAsync(sql, parameters);
    }

    [Fact]
    public async Task A_pending_inquiry_names_its_application_and_whether_sign_up_is_open()
    {
        var exposureKey = await NewInquiryAsync();
        await ExecuteAsync(
            "UPDATE applications SET display_name = 'The Shop', sign_up_open = false WHERE id = @Id", new { Id = _app.Id.Value });

        var described = await DescribeAsync(exposureKey);

        Assert.Equal(
            new InquiryDescription(InquiryState.Pending, _app.Anchor.Value, "The Shop", false, _clock.GetUtcNow().AddMinutes(10)),
            described);
    }

    [Fact]
    public async Task Without_a_display_name_the_page_shows_the_anchor()
    {
        var described = await DescribeAsync(await NewInquiryAsync());

        Assert.Equal((_app.Anchor.Value, true), (described.ApplicationName, described.SignUpOpen));
    }

    [Fact]
    public async Task Unknown_and_malformed_exposure_keys_describe_nothing()
    {
        Assert.Equal(InquiryDescription.Unknown, await DescribeAsync(InquiryKeys.NewKey()));
        Assert.Equal(InquiryDescription.Unknown, await DescribeAsync(""));
        Assert.Equal(InquiryDescription.Unknown, await DescribeAsync(new string('a', 5000)));
    }

    [Fact]
    public async Task Expired_realized_and_redeemed_inquiries_say_so()
    {
        var realized = await NewInquiryAsync();
        var redeemed = await NewInquiryAsync();
        var expired = await NewInquiryAsync();
        var (account, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        const string Realize = """
            UPDATE inquiries SET account_id = @Account, realized_at = now(), realized_how = 'operator',
                   confirmation_nonce = @Bytes, confirmation_key_hash = @Bytes
             WHERE exposure_key = @Key
            """;
        var bytes = new byte[32];
        await ExecuteAsync(Realize, new { Account = account.Value, Bytes = bytes, Key = realized });
        await ExecuteAsync(Realize, new { Account = account.Value, Bytes = bytes, Key = redeemed });
        await ExecuteAsync("UPDATE inquiries SET redeemed_at = now() WHERE exposure_key = @Key", new { Key = redeemed });
        await ExecuteAsync("UPDATE inquiries SET expires_at = @At WHERE exposure_key = @Key", new { At = _clock.GetUtcNow().AddSeconds(1), Key = expired });
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(InquiryState.Realized, (await DescribeAsync(realized)).State);
        Assert.Equal(InquiryState.Redeemed, (await DescribeAsync(redeemed)).State);
        Assert.Equal(InquiryState.Expired, (await DescribeAsync(expired)).State);
    }
}
