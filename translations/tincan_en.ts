<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>Tincan::Gui::Composer</name>
    <message>
        <source>Write a message…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ConversationListModel</name>
    <message numerus="yes">
        <source>%n unread</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more are typing…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note to self</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::DesktopApp</name>
    <message>
        <source>Tincan: end-to-end encrypted team chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the account kept in profile directory DIR (the format tincan-cli uses).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host a server on this computer (and keep hosting it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where a hosted server listens (default 0.0.0.0:7420).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the profile in %1:
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server hosted on this computer is not running:
%1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MainWindow</name>
    <message>
        <source>Tincan — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1&apos;s safety number changed. Verify it again before you trust new messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search (Ctrl+K)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No messages found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages (the newest %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a new chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a conversation, or start a new chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search in this chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Older match (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Older match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newer match (Shift+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newer match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No results</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jump to latest ↓</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jump to the latest message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach a file (Ctrl+O)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New chat…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New &amp;group…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer hosts your team&apos;s Tincan server. Quitting stops the server for everyone until you start Tincan again.

Quit anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find in this chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next &amp;unread</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Attach a file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jump to &amp;latest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Do not disturb</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(%1) Tincan — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are no longer a member of this group.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n members</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last seen at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encrypting and uploading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline — reconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hosting the server on port %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Offline: %n message(s) will be sent when the connection returns.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The group was not created: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark as read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read by…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan stopped talking to the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If the server&apos;s certificate changed, ask your administrator whether that was expected. Tincan will not connect to a server it cannot verify.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan is still running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server keeps serving your team from the tray. Use Quit to stop it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2%</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MessageModel</name>
    <message>
        <source>This message could not be decrypted (%1). Tincan asked the sender&apos;s device to send it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read by %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered to %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: sent</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SearchDelegate</name>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SearchModel</name>
    <message>
        <source>%1, %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ServerHost</name>
    <message>
        <source>The server program could not be started (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server stopped (exit code %1).
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server could not start.
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server program (tincand) was not found next to Tincan.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the server&apos;s data directory %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::Session</name>
    <message>
        <source>No keychain is available (%1).
Choose a passphrase that protects this profile&apos;s messages:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the passphrase of this profile (%1):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SetupDialog</name>
    <message>
        <source>Welcome to Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Choose your team&apos;s server&lt;/h3&gt;Tincan runs on your own network. Pick a server found nearby, type its address, or host one on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server found on this network:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers found on this network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at this address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host a server on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everyone on your network can then connect to this computer. The server keeps running while Tincan is in the tray; quitting Tincan stops it for everyone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>if the server asks for one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Invite code:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create an account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On your other device, open Settings → Devices → Link a new device, then type the code it shows or paste its link.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Code or link:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Device name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot look for servers: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose one of the servers found, or type an address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That is not a server address. It looks like https://HOST:PORT.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server did not answer within 10 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate mismatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 shows a certificate that is not the one it announced on the network.

Announced: %2
Shown: %3

Someone may be impersonating the server. Tincan will not connect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1 (no encryption in transit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Certificate SHA-256:&lt;/b&gt; &lt;tt&gt;%2&lt;/tt&gt;&lt;br&gt;Compare it with the one your administrator gave you (or the one shown in the hosting app&apos;s settings). Tincan will refuse any other certificate from now on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give this device a name (1 to 64 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usernames are %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a password of at least 8 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the account and this device&apos;s keys…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your username and password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the code your other device shows, or paste its link.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking your other device…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linking to &lt;b&gt;%1&lt;/b&gt;. Check that your other device shows &lt;b&gt;%2&lt;/b&gt;, and approve it there.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::UserPicker</name>
    <message>
        <source>New group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group &amp;name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find people</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add people:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>People on this server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No username starts like that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nobody on this server has a name starting with that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the group a name (1 to 100 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the people to add.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose someone from the list.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
