using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// Sends one request, with the same body (so the same request id), until its answer is final: below 500. Right after
/// a cluster forms, the first command for a shard may wait for its allocation and the entity's recovery longer than
/// the node's ask timeout; the 504 says to send it again.
/// </summary>
internal static class UntilFinal
{
    public static async Task<(int Status, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string path, object body, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            if (status < 500 || clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                return (status, await response.Content.ReadFromJsonAsync<JsonElement>());
            }
            await Task.Delay(200);
        }
    }
}
