using System.Net;

namespace Connect.Api.Tests.SignIn;

/// <summary>Redeem exactly once: of many redeems of one inquiry fired at once, on one or two instances, one wins.</summary>
public sealed class RedeemRaceTests(SignInEndpoints api) : IClassFixture<SignInEndpoints>
{
    private const int Redeemers = 16;

    [Fact]
    public async Task Concurrent_redeems_on_one_instance_begin_exactly_one_session()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);

        var responses = await RaceAsync(realized, Enumerable.Repeat(api.Client, Redeemers).ToList());

        await AssertOneWinnerAsync(realized, responses);
    }

    [Fact]
    public async Task Concurrent_redeems_split_across_two_instances_begin_exactly_one_session()
    {
        var app = await api.RegisterAsync();
        var realized = await api.RealizedInquiryAsync(app);
        var other = api.SecondInstance();

        var responses = await RaceAsync(realized, [.. Enumerable.Range(0, Redeemers).Select(i => i % 2 == 0 ? api.Client : other)]);

        await AssertOneWinnerAsync(realized, responses);
    }

    /// <summary>Every request is built first, then all are released at once behind one gate.</summary>
    private static async Task<IReadOnlyList<HttpResponseMessage>> RaceAsync(RealizedInquiry realized, IReadOnlyList<HttpClient> clients)
    {
        var body = SignInClient.Serialize(new RedeemBody(realized.Inquiry.ExposureKey, realized.Inquiry.HiddenKey, realized.ConfirmationKey));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = clients.Select(client => Task.Run(async () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/redeem") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
            await gate.Task;
            return await client.SendAsync(request);
        })).ToList();
        gate.SetResult();
        return await Task.WhenAll(racers);
    }

    private async Task AssertOneWinnerAsync(RealizedInquiry realized, IReadOnlyList<HttpResponseMessage> responses)
    {
        var bodies = await Task.WhenAll(responses.Select(response => response.Content.ReadAsStringAsync()));
        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.OK);
        var losers = bodies.Where(body => body == """{"reason":"InquiryAlreadyRedeemed"}""").Count();
        Assert.True(
            losers == Redeemers - 1,
            $"expected {Redeemers - 1} InquiryAlreadyRedeemed, got {losers}; answers: " +
            string.Join(", ", responses.Zip(bodies, (response, body) => $"{(int)response.StatusCode} {body}").Distinct()));
        Assert.All(
            responses.Where(response => response.StatusCode != HttpStatusCode.OK),
            response => Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM sessions WHERE account_id = @Account", new { Account = realized.Account.Value }));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM revocation_audit WHERE kind = 'inquiry_redeemed' AND account_id = @Account",
            new { Account = realized.Account.Value }));
        // The one audit row names the one session begun.
        Assert.Equal(
            await api.ScalarAsync<long>("SELECT id FROM sessions WHERE account_id = @Account", new { Account = realized.Account.Value }),
            await api.ScalarAsync<long>(
                "SELECT session_id FROM revocation_audit WHERE kind = 'inquiry_redeemed' AND account_id = @Account",
                new { Account = realized.Account.Value }));
    }
}
