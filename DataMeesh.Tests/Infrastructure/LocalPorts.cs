using System.Net;
using System.Net.Sockets;

namespace DataMeesh.Tests.Infrastructure;

/// <summary>TCP ports on 127.0.0.1 for the servers tests start: chosen by the OS, never fixed, so checkouts never collide.</summary>
public static class LocalPorts
{
    /// <summary>A port that was free a moment ago (the OS picks it; nothing holds it afterwards).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
