using System.Net;
using System.Text;
using Connect.Application.Inquiries;

namespace Connect.Api.Tests.SignIn;

/// <summary>Every refusal of <c>/status-poll</c>, <c>/redeem</c> and <c>/info</c>, each leaving the database as it was.</summary>
public sealed class InquiryRejectionTests(SignInEndpoints api) : IClassFixture<SignInEndpoints>
{
    private const string Key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "/status-poll", "" },
        { "/status-poll", "[]" },
        { "/status-poll", "{}" },
        { "/status-poll", $$"""{"exposureKey":"{{Key}}"}""" },
        { "/status-poll", $$"""{"hiddenKey":"{{Key}}"}""" },
        { "/status-poll", $$"""{"exposureKey":"","hiddenKey":"{{Key}}"}""" },
        { "/status-poll", $$"""{"exposureKey":"{{Key}}","hiddenKey":""}""" },
        { "/status-poll", $$"""{"exposureKey":7,"hiddenKey":"{{Key}}"}""" },
        { "/status-poll", $$"""{"exposureKey":"{{Key}}","hiddenKey":null}""" },
        { "/status-poll", $$"""{"exposureKey":"{{new string('a', 129)}}","hiddenKey":"{{Key}}"}""" },
        { "/status-poll", $$"""{"exposureKey":"{{Key}}","hiddenKey":"{{Key}}","extra":true}""" },
        { "/status-poll", $$"""{"exposureKey":"{{Key}}","hiddenKey":"{{Key}}","hiddenKey":"{{Key}}"}""" },
        { "/status-poll", $$"""{"ExposureKey":"{{Key}}","hiddenKey":"{{Key}}"}""" },
        { "/redeem", "" },
        { "/redeem", "{}" },
        { "/redeem", $$"""{"exposureKey":"{{Key}}","hiddenKey":"{{Key}}"}""" },
        { "/redeem", $$"""{"exposureKey":"{{Key}}","hiddenKey":"{{Key}}","confirmationKey":""}""" },
        { "/redeem", $$"""{"exposureKey":"{{Key}}","hiddenKey":"{{Key}}","confirmationKey":[]}""" },
        { "/redeem", $$"""{"exposureKey":"{{Key}}","hiddenKey":"{{Key}}","confirmationKey":"{{new string('a', 129)}}"}""" },
        { "/redeem", $$"""{"exposureKey":"{{Key}}","hiddenKey":"{{Key}}","confirmationKey":"{{Key}}","extra":1}""" },
        { "/redeem", $$"""{"exposureKey":"{{Key}}","hiddenKey":"{{Key}}","confirmationKey":"{{Key}}","confirmationKey":"{{Key}}"}""" },
        { "/info", "" },
        { "/info", "{}" },
        { "/info", """{"applicationAnchor":"shop.example"}""" },
        { "/info", """{"locale":"en-US"}""" },
        { "/info", """{"applicationAnchor":"","locale":"en-US"}""" },
        { "/info", """{"applicationAnchor":"shop.example","locale":""}""" },
        { "/info", """{"applicationAnchor":"shop.example","locale":"en_US"}""" },
        { "/info", """{"applicationAnchor":"shop.example","locale":"123"}""" },
        { "/info", """{"applicationAnchor":"shop.example","locale":"en-US-toolongsubtag"}""" },
        { "/info", """{"applicationAnchor":"shop.example","locale":7}""" },
        { "/info", $$"""{"applicationAnchor":"{{new string('a', 256)}}","locale":"en-US"}""" },
        { "/info", """{"applicationAnchor":"shop.example","locale":"en-US","extra":1}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Malformed_bodies_are_InvalidBody(string route, string body)
    {
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.PostAsync(route, Encoding.UTF8.GetBytes(body));

        await SignInAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InvalidBody");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task An_unknown_pair_and_a_wrong_hidden_key_are_both_InquiryNotFound()
    {
        var app = await api.RegisterAsync();
        var inquiry = await api.EstablishAsync(app);
        var before = await api.SnapshotAsync();

        var unknown = await api.SignIn.StatusPollAsync(InquiryKeys.NewKey(), inquiry.HiddenKey);
        var wrongHidden = await api.SignIn.StatusPollAsync(inquiry.ExposureKey, InquiryKeys.NewKey());
        var swapped = await api.SignIn.StatusPollAsync(inquiry.HiddenKey, inquiry.ExposureKey);

        await SignInAssert.ReasonAsync(unknown, HttpStatusCode.BadRequest, "InquiryNotFound");
        await SignInAssert.ReasonAsync(wrongHidden, HttpStatusCode.BadRequest, "InquiryNotFound");
        await SignInAssert.ReasonAsync(swapped, HttpStatusCode.BadRequest, "InquiryNotFound");
        // A wrong hidden key counts no poll: the public exposure key cannot use them up.
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Past_its_lifetime_an_inquiry_is_InquiryExpired_everywhere()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        var pending = await api.EstablishAsync(app);
        var (account, _) = await api.Db.CreateAccountWithSubjectAsync(app.Sector);

        api.Clock.Advance(TimeSpan.FromMinutes(InquiryOptions.DefaultLifetimeMinutes));
        var before = await api.SnapshotAsync();
        var poll = await api.SignIn.StatusPollAsync(pending.ExposureKey, pending.HiddenKey);
        var redeem = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey);
        var realize = await api.RealizeAsync(pending.ExposureKey, account);

        await SignInAssert.ReasonAsync(poll, HttpStatusCode.BadRequest, "InquiryExpired");
        await SignInAssert.ReasonAsync(redeem, HttpStatusCode.BadRequest, "InquiryExpired");
        Assert.Equal(Connect.Application.RealizeInquiry.RealizeRefusal.InquiryExpired, realize.Refusal);
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task One_second_before_its_end_an_inquiry_still_answers()
    {
        var app = await api.RegisterAsync();
        var inquiry = await api.EstablishAsync(app);

        api.Clock.Advance(TimeSpan.FromMinutes(InquiryOptions.DefaultLifetimeMinutes) - TimeSpan.FromSeconds(1));
        var poll = await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey);

        Assert.Equal("""{"status":"PENDING"}""", await poll.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task After_600_polls_the_next_is_InquiryExpired()
    {
        var app = await api.RegisterAsync();
        var inquiry = await api.EstablishAsync(app);

        for (var poll = 1; poll <= InquiryOptions.MaxPolls; poll++)
        {
            var answer = await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var before = await api.SnapshotAsync();
        var over = await api.SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey);

        await SignInAssert.ReasonAsync(over, HttpStatusCode.BadRequest, "InquiryExpired");
        Assert.Equal(before, await api.SnapshotAsync());
        Assert.Equal(600, await api.ScalarAsync<int>("SELECT polls FROM inquiries WHERE exposure_key = @Key", new { Key = inquiry.ExposureKey }));
    }

    [Fact]
    public async Task Redeem_refuses_a_triple_that_does_not_resolve()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        var before = await api.SnapshotAsync();

        var wrongHidden = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, InquiryKeys.NewKey(), realized.ConfirmationKey);
        var wrongConfirmation = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, InquiryKeys.NewKey());
        var unknown = await api.SignIn.RedeemAsync(InquiryKeys.NewKey(), realized.Inquiry.HiddenKey, realized.ConfirmationKey);

        await SignInAssert.ReasonAsync(wrongHidden, HttpStatusCode.BadRequest, "InquiryNotFound");
        await SignInAssert.ReasonAsync(wrongConfirmation, HttpStatusCode.BadRequest, "InquiryNotFound");
        await SignInAssert.ReasonAsync(unknown, HttpStatusCode.BadRequest, "InquiryNotFound");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Another_inquirys_confirmation_key_does_not_redeem()
    {
        var app = await api.RegisterAsync();
        var first = await api.RealizedInquiryAsync(app);
        var second = await api.RealizedInquiryAsync(app);
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.RedeemAsync(first.Inquiry.ExposureKey, first.Inquiry.HiddenKey, second.ConfirmationKey);

        await SignInAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InquiryNotFound");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Redeeming_before_a_person_signed_in_is_InquiryNotRealized()
    {
        var app = await api.RegisterAsync();
        var inquiry = await api.EstablishAsync(app);
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.RedeemAsync(inquiry.ExposureKey, inquiry.HiddenKey, InquiryKeys.NewKey());

        await SignInAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InquiryNotRealized");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Redeeming_twice_is_InquiryAlreadyRedeemed()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey)).StatusCode);
        var before = await api.SnapshotAsync();

        var again = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey);

        await SignInAssert.ReasonAsync(again, HttpStatusCode.BadRequest, "InquiryAlreadyRedeemed");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task A_disabled_application_cannot_redeem()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        await api.Db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey);

        await SignInAssert.ReasonAsync(response, HttpStatusCode.Forbidden, "ApplicationDisabled");
        SignInAssert.CarriesNoStoreNoCache(response);
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task A_disabled_account_cannot_redeem_until_enabled_again()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        await api.ExecuteAsync("UPDATE accounts SET enabled = false WHERE id = @Id", new { Id = realized.Account.Value });
        var before = await api.SnapshotAsync();

        var disabled = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey);
        var unchanged = await api.SnapshotAsync();
        await api.ExecuteAsync("UPDATE accounts SET enabled = true WHERE id = @Id", new { Id = realized.Account.Value });
        var enabled = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey);

        await SignInAssert.ReasonAsync(disabled, HttpStatusCode.Forbidden, "AccountDisabled");
        Assert.Equal(before, unchanged);
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
    }

    [Fact]
    public async Task A_deleted_account_is_AccountDeleted()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        await api.ExecuteAsync("UPDATE accounts SET deleted_at = now(), enabled = false WHERE id = @Id", new { Id = realized.Account.Value });
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey);

        await SignInAssert.ReasonAsync(response, HttpStatusCode.Forbidden, "AccountDeleted");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task An_account_whose_row_is_gone_is_AccountNotFound()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        // The service never removes an account row (a deletion leaves a tombstone); only a hand in the database can.
        await RemoveBehindTheForeignKeysAsync("""
            DELETE FROM revocation_audit WHERE account_id = @Id;
            DELETE FROM sector_subjects WHERE account_id = @Id;
            DELETE FROM accounts WHERE id = @Id;
            """, realized.Account.Value);
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey);

        await SignInAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "AccountNotFound");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task An_inquiry_whose_application_is_gone_is_a_400_ApplicationNotFound()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        await RemoveBehindTheForeignKeysAsync("""
            DELETE FROM revocation_audit WHERE application_id = @Id;
            DELETE FROM applications WHERE id = @Id;
            """, app.Id.Value);
        var before = await api.SnapshotAsync();

        var response = await api.SignIn.RedeemAsync(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey);

        await SignInAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "ApplicationNotFound");
        Assert.Equal(before, await api.SnapshotAsync());
    }

    [Fact]
    public async Task Info_of_an_unknown_application_is_a_404_ApplicationNotFound()
    {
        var response = await api.SignIn.InfoAsync($"app-{Guid.NewGuid():N}");

        await SignInAssert.ReasonAsync(response, HttpStatusCode.NotFound, "ApplicationNotFound");
    }

    [Fact]
    public async Task Info_falls_back_to_the_anchor_for_any_locale()
    {
        var app = await api.RegisterAsync();

        var info = await SignInClient.ReadAsync<InfoAnswer>(await api.SignIn.InfoAsync(app.Anchor.Value, "zh-Hant-TW"));

        Assert.Equal(app.Anchor.Value, info.ApplicationName);
    }

    /// <summary>Runs statements with the foreign keys' triggers off, as only an operator at the database could.</summary>
    private async Task RemoveBehindTheForeignKeysAsync(string sql, Guid id) =>
        await api.ExecuteAsync("SET session_replication_role = replica;\n" + sql + "\nSET session_replication_role = origin;", new { Id = id });
}
