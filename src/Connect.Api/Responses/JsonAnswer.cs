using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Connect.Api.Responses;

/// <summary>
/// Writes Connect's small JSON answers in one piece: serialized first, then sent with their Content-Length.
/// Left to the framework, an answer of unknown length goes out chunked, and its data and the closing chunk are
/// two sends to the socket and two reads for the client, for a body of twenty bytes. No answer may be kept
/// by a cache: each tells one caller about one revocation.
/// </summary>
internal static class JsonAnswer
{
    public const string ContentType = "application/json; charset=utf-8";

    public static Task WriteAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, cancellationToken).AsTask();
    }

    /// <summary>The same answer as an MVC result, for controllers; the status is the response's (200 unless set).</summary>
    public static IActionResult AsResult<T>(T value, JsonTypeInfo<T> type) => new Result<T>(value, type);

    private sealed class Result<T>(T value, JsonTypeInfo<T> type) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) =>
            WriteAsync(context.HttpContext.Response, value, type, context.HttpContext.RequestAborted);
    }
}

/// <summary>The JSON shapes Connect answers with, serialized by generated code with the web defaults (camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Controllers.RevokeAllController.RevokeAllResponse))]
[JsonSerializable(typeof(Errors.ReasonResponse.ReasonBody))]
internal sealed partial class AnswerJson : JsonSerializerContext;
