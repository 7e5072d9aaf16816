using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Connect.Api.Responses;

/// <summary>
/// Writes Connect's small JSON answers in one piece: serialized first, then sent with their Content-Length.
/// Left to the framework, an answer of unknown length goes out chunked, and its data and the closing chunk are
/// two sends to the socket and two reads for the client, for a body of twenty bytes. Unless the endpoint says
/// otherwise (<see cref="AnswerHeaders"/>), no answer may be kept by a cache: each tells one caller about one change.
/// </summary>
internal static class JsonAnswer
{
    public const string ContentType = "application/json; charset=utf-8";

    public static Task WriteAsync<T>(
        HttpResponse response, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken, AnswerHeaders? headers = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        response.ContentType = ContentType;
        (headers ?? AnswerHeaders.NoStore).ApplyTo(response.Headers);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, cancellationToken).AsTask();
    }

    /// <summary>The same answer as an MVC result, for controllers; the status is the response's (200 unless set).</summary>
    public static IActionResult AsResult<T>(T value, JsonTypeInfo<T> type, AnswerHeaders? headers = null) => new Result<T>(value, type, headers);

    private sealed class Result<T>(T value, JsonTypeInfo<T> type, AnswerHeaders? headers) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) =>
            WriteAsync(context.HttpContext.Response, value, type, context.HttpContext.RequestAborted, headers);
    }
}

/// <summary>The caching headers of one endpoint's answers: each endpoint names its own, in one place.</summary>
/// <param name="Pragma">For HTTP/1.0 caches, which know no <c>Cache-Control</c>; none when <c>null</c>.</param>
/// <param name="Vary">The request headers the answer depends on; none when <c>null</c>.</param>
internal sealed record AnswerHeaders(string CacheControl, string? Pragma = null, string? Vary = null)
{
    /// <summary>Every answer about one caller's sessions: never stored by any cache.</summary>
    public static AnswerHeaders NoStore { get; } = new("no-store");

    /// <summary>
    /// An answer about the holder of a Bearer token (<c>/userinfo</c>, <c>/claim-state</c>): never stored, by old
    /// caches either, and never served to another token's holder.
    /// </summary>
    public static AnswerHeaders PerBearerToken { get; } = new("no-store", Pragma: "no-cache", Vary: "Authorization");

    /// <summary>A public document (the JWKS) any cache may keep for <paramref name="maxAgeSeconds"/>.</summary>
    public static AnswerHeaders Public(int maxAgeSeconds) =>
        new(string.Create(CultureInfo.InvariantCulture, $"public, max-age={maxAgeSeconds}"));

    public void ApplyTo(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.CacheControl = CacheControl;
        if (Pragma is not null)
        {
            headers.Pragma = Pragma;
        }

        if (Vary is not null)
        {
            headers.Vary = Vary;
        }
    }
}

/// <summary>The JSON shapes Connect answers with, serialized by generated code with the web defaults (camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Controllers.RevokeAllController.RevokeAllResponse))]
[JsonSerializable(typeof(Errors.ReasonResponse.ReasonBody))]
[JsonSerializable(typeof(Controllers.JwksController.JwksResponse))]
[JsonSerializable(typeof(Errors.ReasonResponse.BearerErrorBody))]
[JsonSerializable(typeof(Controllers.LogoutController.LogoutResponse))]
[JsonSerializable(typeof(Controllers.IntrospectController.IntrospectResponse))]
[JsonSerializable(typeof(Controllers.SessionClaimsController.UserInfoResponse))]
[JsonSerializable(typeof(Controllers.SessionClaimsController.ClaimStateResponse))]
internal sealed partial class AnswerJson : JsonSerializerContext;
