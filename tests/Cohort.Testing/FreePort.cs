using System.Net;
using System.Net.Sockets;

namespace Cohort.Testing;

public static class FreePort
{
    /// <summary>
    /// A TCP port on 127.0.0.1 that was free a moment ago. Another process can still take it before the caller
    /// binds, so callers that start servers retry with a new port when the bind fails.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
