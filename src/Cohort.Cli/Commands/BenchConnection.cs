using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cohort.Cli.Commands;

/// <summary>
/// One keep-alive HTTP/1.1 connection of a closed loop: posts a JSON body and reads the whole answer, one request
/// at a time. The client shares two cores with the node it measures: HttpClient spent 42-46 us of CPU per request
/// there and this spends 31-32, so the node answered 13-20% more requests at 192 connections. It speaks only
/// what a Cohort node answers: a status line, headers, and a body sized by Content-Length or sent chunked.
/// </summary>
internal sealed class BenchConnection : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();

    private readonly Socket socket;
    private readonly string requestLinePrefix;
    private readonly string hostHeader;
    private readonly string authorizationHeader;
    private byte[] buffer = new byte[16 * 1024];
    private int filled;

    private BenchConnection(Socket socket, Uri baseUrl)
    {
        this.socket = socket;
        requestLinePrefix = "POST " + baseUrl.AbsolutePath;
        hostHeader = baseUrl.Authority;
        authorizationHeader = BenchHttpClient.Token is { } token ? $"Authorization: Bearer {token}\r\n" : "";
    }

    public static async Task<BenchConnection> OpenAsync(Uri baseUrl, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(baseUrl.Host, baseUrl.Port, ct);
            return new BenchConnection(socket, baseUrl);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Posts <paramref name="body"/> to <paramref name="path"/> (relative to the base URL) and returns the answer.</summary>
    /// <exception cref="IOException">The connection failed or the answer is not HTTP this connection can read.</exception>
    public async Task<(HttpStatusCode Status, byte[] Body)> PostAsync(string path, byte[] body, CancellationToken ct)
    {
        var head = $"{requestLinePrefix}{path} HTTP/1.1\r\nHost: {hostHeader}\r\n{authorizationHeader}Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        var request = new byte[head.Length + body.Length];
        Encoding.ASCII.GetBytes(head, request);
        body.CopyTo(request, head.Length);
        try
        {
            for (var sent = 0; sent < request.Length;)
            {
                sent += await socket.SendAsync(request.AsMemory(sent), SocketFlags.None, ct);
            }
            filled = 0;
            var headerLength = await FillUntilAsync(HeaderEnd, 0, ct) + HeaderEnd.Length;
            var (status, contentLength, chunked) = ParseHead(buffer.AsSpan(0, headerLength));
            if (chunked)
            {
                return (status, await ReadChunkedAsync(headerLength, ct));
            }
            await FillAsync(headerLength + contentLength, ct);
            return (status, buffer.AsSpan(headerLength, contentLength).ToArray());
        }
        catch (SocketException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    public void Dispose() => socket.Dispose();

    private static (HttpStatusCode Status, int ContentLength, bool Chunked) ParseHead(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 200 OK": the status is the three digits after the first space.
        if (head.Length < 12 || !head.StartsWith("HTTP/1.1 "u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new IOException("the answer does not start with an HTTP/1.1 status line");
        }
        var contentLength = 0;
        var chunked = false;
        foreach (var range in head.Split(LineEnd.AsSpan()))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                continue;
            }
            var name = Encoding.ASCII.GetString(line[..colon]);
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !Utf8Parser.TryParse(value, out contentLength, out _))
            {
                throw new IOException("the answer's Content-Length is not a number");
            }
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.SequenceEqual("chunked"u8);
            }
        }
        return ((HttpStatusCode)status, contentLength, chunked);
    }

    /// <summary>Reads chunks ("size in hex CRLF data CRLF") up to the empty one, and returns their data joined.</summary>
    private async Task<byte[]> ReadChunkedAsync(int offset, CancellationToken ct)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeEnd = await FillUntilAsync(LineEnd, offset, ct);
            if (!Utf8Parser.TryParse(buffer.AsSpan(offset, sizeEnd - offset), out int size, out _, 'x'))
            {
                throw new IOException("a chunk of the answer does not start with its size");
            }
            var dataStart = sizeEnd + LineEnd.Length;
            await FillAsync(dataStart + size + LineEnd.Length, ct);
            if (size == 0)
            {
                return body.ToArray();
            }
            body.Write(buffer, dataStart, size);
            offset = dataStart + size + LineEnd.Length;
        }
    }

    /// <summary>Reads until <paramref name="marker"/> is in the buffer at or after <paramref name="from"/>; returns where it starts.</summary>
    private async Task<int> FillUntilAsync(byte[] marker, int from, CancellationToken ct)
    {
        while (true)
        {
            var at = buffer.AsSpan(from, filled - from).IndexOf(marker);
            if (at >= 0)
            {
                return from + at;
            }
            await ReceiveAsync(ct);
        }
    }

    private async Task FillAsync(int length, CancellationToken ct)
    {
        while (filled < length)
        {
            await ReceiveAsync(ct);
        }
    }

    private async Task ReceiveAsync(CancellationToken ct)
    {
        if (filled == buffer.Length)
        {
            Array.Resize(ref buffer, buffer.Length * 2);
        }
        var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
        if (read == 0)
        {
            throw new IOException("the node closed the connection");
        }
        filled += read;
    }
}
