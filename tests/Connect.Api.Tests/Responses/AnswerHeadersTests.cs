using Connect.Api.Endpoints;
using Connect.Api.Errors;
using Connect.Api.Responses;
using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.Http;

namespace Connect.Api.Tests.Responses;

/// <summary>The caching headers each endpoint names (docs/contract/sessions.md: /refresh, /userinfo, /claim-state; the JWKS).</summary>
public sealed class AnswerHeadersTests
{
    [Fact]
    public void Presets_carry_exactly_their_headers()
    {
        Assert.Equal(("no-store", "", ""), Applied(AnswerHeaders.NoStore));
        Assert.Equal(("no-store", "no-cache", ""), Applied(AnswerHeaders.NoStoreNoCache));
        Assert.Equal(("no-store", "no-cache", "Authorization"), Applied(AnswerHeaders.NoStoreByAuthorization));
        Assert.Equal(("public, max-age=300", "", ""), Applied(AnswerHeaders.Public(300)));
    }

    [Fact]
    public async Task An_endpoints_declared_headers_go_on_its_answers_and_on_its_errors()
    {
        var declared = Declaring(AnswerHeaders.NoStoreByAuthorization);

        var answer = await WrittenAsync(declared, response => JsonAnswer.WriteAsync(
            response, new ReasonResponse.ReasonBody("x"), AnswerJson.Default.ReasonBody, CancellationToken.None));
        var error = await WrittenAsync(declared, response => ReasonResponse.WriteAsync(response.HttpContext, ReasonCode.InvalidBody));

        Assert.Equal(("no-store", "no-cache", "Authorization"), answer);
        Assert.Equal(("no-store", "no-cache", "Authorization"), error);
    }

    [Fact]
    public async Task An_endpoint_that_declares_nothing_answers_no_store_only_and_an_explicit_choice_wins()
    {
        var plain = await WrittenAsync(null, response => JsonAnswer.WriteAsync(
            response, new ReasonResponse.ReasonBody("x"), AnswerJson.Default.ReasonBody, CancellationToken.None));
        var jwks = await WrittenAsync(Declaring(AnswerHeaders.NoStoreNoCache), response => JsonAnswer.WriteAsync(
            response, new ReasonResponse.ReasonBody("x"), AnswerJson.Default.ReasonBody, CancellationToken.None, AnswerHeaders.Public(60)));

        Assert.Equal(("no-store", "", ""), plain);
        Assert.Equal(("public, max-age=60", "", ""), jwks);
    }

    private static EndpointContract Declaring(AnswerHeaders headers) =>
        new(HttpMethods.Get, "/test", "test", typeof(object), []) { AnswerHeaders = headers };

    private static (string CacheControl, string Pragma, string Vary) Applied(AnswerHeaders headers)
    {
        IHeaderDictionary dictionary = new HeaderDictionary();
        headers.ApplyTo(dictionary);
        return (dictionary.CacheControl.ToString(), dictionary.Pragma.ToString(), dictionary.Vary.ToString());
    }

    private static async Task<(string CacheControl, string Pragma, string Vary)> WrittenAsync(
        EndpointContract? declared, Func<HttpResponse, Task> write)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        context.SetEndpoint(new Endpoint(null, declared is null ? EndpointMetadataCollection.Empty : new EndpointMetadataCollection(declared), "test"));

        await write(context.Response);

        var headers = context.Response.Headers;
        return (headers.CacheControl.ToString(), headers.Pragma.ToString(), headers.Vary.ToString());
    }
}
