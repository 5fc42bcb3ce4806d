<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ar">
<context>
    <name>Tincan::Gui::Composer</name>
    <message>
        <source>Write a message…</source>
        <translation>اكتب رسالة…</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>الرسالة</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ContactInfoDialog</name>
    <message>
        <source>online</source>
        <translation>متصل</translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation>آخر ظهور في %1</translation>
    </message>
    <message>
        <source>presence hidden</source>
        <translation>حالة الاتصال مخفية</translation>
    </message>
    <message>
        <source>%1 — contact info</source>
        <translation>%1 — معلومات جهة الاتصال</translation>
    </message>
    <message>
        <source>Avatar</source>
        <translation>الصورة الرمزية</translation>
    </message>
    <message>
        <source>Safety number</source>
        <translation>رقم الأمان</translation>
    </message>
    <message>
        <source>Compare these digits with the ones %1 sees, in person or on a call you trust, or let their device scan the code. If they match, your messages are end-to-end encrypted with %1&apos;s devices and no one else&apos;s.</source>
        <translation>قارن هذه الأرقام بالأرقام التي يراها %1، وجهًا لوجه أو عبر مكالمة تثق بها، أو دع جهازه يمسح الرمز. إذا تطابقت، فرسائلك مشفّرة من طرف إلى طرف مع أجهزة %1 وحدها دون سواها.</translation>
    </message>
    <message>
        <source>Safety number as a QR code</source>
        <translation>رقم الأمان كرمز QR</translation>
    </message>
    <message>
        <source>Scan it with %1&apos;s device to compare the numbers.</source>
        <translation>امسحه بجهاز %1 لمقارنة الأرقام.</translation>
    </message>
    <message>
        <source>There is no safety number with %1 yet. It exists once your devices and theirs have exchanged a message: send %1 a message, then look here again.</source>
        <translation>لا يوجد رقم أمان مع %1 بعد. ينشأ الرقم بعد أن تتبادل أجهزتك وأجهزته رسالة: أرسل رسالة إلى %1، ثم عد إلى هنا.</translation>
    </message>
    <message>
        <source>Mark as verified</source>
        <translation>تعليم كمُتحقَّق منه</translation>
    </message>
    <message>
        <source>Accept the new safety number</source>
        <translation>قبول الرقم الجديد</translation>
    </message>
    <message>
        <source>Send to %1 again without verifying the new number.</source>
        <translation>استئناف الإرسال إلى %1 دون التحقق من الرقم الجديد.</translation>
    </message>
    <message>
        <source>⚠ The safety number changed after you verified it: %1 has a new device, or someone may be listening in. Compare the new number before you trust what is sent.</source>
        <translation>⚠ تغيّر رقم الأمان بعد أن تحقّقت منه: لدى %1 جهاز جديد، أو ربما يتنصّت أحدهم. قارن الرقم الجديد قبل أن تثق بما يُرسَل.</translation>
    </message>
    <message>
        <source>⚠ The safety number changed after you verified it.</source>
        <translation>⚠ تغيّر رقم الأمان بعد أن تحقّقت منه.</translation>
    </message>
    <message>
        <source>✓ Verified: you compared this safety number with %1.</source>
        <translation>✓ تم التحقق: قارنتَ رقم الأمان هذا مع %1.</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>لم يتم التحقق بعد.</translation>
    </message>
    <message>
        <source>Clear verification</source>
        <translation>إلغاء التحقق</translation>
    </message>
    <message>
        <source>Clear the verification of %1</source>
        <translation>إلغاء التحقق من %1</translation>
    </message>
    <message>
        <source>Mark %1 as verified</source>
        <translation>تعليم %1 كمُتحقَّق منه</translation>
    </message>
    <message>
        <source>Not verified</source>
        <translation>لم يتم التحقق</translation>
    </message>
    <message>
        <source>The change was not saved.</source>
        <translation>لم يُحفَظ التغيير.</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ConversationListModel</name>
    <message numerus="yes">
        <source>%n unread</source>
        <translation>
            <numerusform>لا رسائل غير مقروءة</numerusform>
            <numerusform>رسالة واحدة غير مقروءة</numerusform>
            <numerusform>رسالتان غير مقروءتين</numerusform>
            <numerusform>%n رسائل غير مقروءة</numerusform>
            <numerusform>%n رسالة غير مقروءة</numerusform>
            <numerusform>%n رسالة غير مقروءة</numerusform>
        </translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>يكتب…</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 يكتب…</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more are typing…</source>
        <translation>
            <numerusform>%1 يكتب…</numerusform>
            <numerusform>%1 وشخص آخر يكتبان…</numerusform>
            <numerusform>%1 وشخصان آخران يكتبون…</numerusform>
            <numerusform>%1 و%n أشخاص آخرون يكتبون…</numerusform>
            <numerusform>%1 و%n شخصًا آخر يكتبون…</numerusform>
            <numerusform>%1 و%n شخص آخر يكتبون…</numerusform>
        </translation>
    </message>
    <message>
        <source>Group</source>
        <translation>مجموعة</translation>
    </message>
    <message>
        <source>Note to self</source>
        <translation>ملاحظة لنفسي</translation>
    </message>
    <message>
        <source>🖼 Photo</source>
        <translation>🖼 صورة</translation>
    </message>
    <message>
        <source>🎬 Video</source>
        <translation>🎬 فيديو</translation>
    </message>
    <message>
        <source>📎 %1</source>
        <translation>📎 %1</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::DesktopApp</name>
    <message>
        <source>Tincan: end-to-end encrypted team chat.</source>
        <translation>Tincan: دردشة فريق مشفّرة من طرف إلى طرف.</translation>
    </message>
    <message>
        <source>Open the account kept in profile directory DIR (the format tincan-cli uses).</source>
        <translation>فتح الحساب المحفوظ في مجلد الملف الشخصي DIR (بالتنسيق الذي يستخدمه tincan-cli).</translation>
    </message>
    <message>
        <source>Host a server on this computer (and keep hosting it).</source>
        <translation>استضافة خادم على هذا الحاسوب (ومواصلة استضافته).</translation>
    </message>
    <message>
        <source>Where a hosted server listens (default 0.0.0.0:7420).</source>
        <translation>العنوان الذي يستمع عليه الخادم المستضاف (الافتراضي 0.0.0.0:7420).</translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation>Tincan</translation>
    </message>
    <message>
        <source>Cannot open the profile in %1:
%2</source>
        <translation>تعذّر فتح الملف الشخصي في %1:
%2</translation>
    </message>
    <message>
        <source>The server hosted on this computer is not running:
%1</source>
        <translation>الخادم المستضاف على هذا الحاسوب لا يعمل:
%1</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::DevicesPage</name>
    <message>
        <source>Username:</source>
        <translation>اسم المستخدم:</translation>
    </message>
    <message>
        <source>This device&apos;s number:</source>
        <translation>رقم هذا الجهاز:</translation>
    </message>
    <message>
        <source>Devices signed in to this account</source>
        <translation>الأجهزة المسجَّل دخولها إلى هذا الحساب</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>الأجهزة</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>الاسم</translation>
    </message>
    <message>
        <source>System</source>
        <translation>النظام</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>آخر ظهور</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>الحالة</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>تحديث</translation>
    </message>
    <message>
        <source>Refresh the device list</source>
        <translation>تحديث قائمة الأجهزة</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>إزالة…</translation>
    </message>
    <message>
        <source>Revoke the selected device</source>
        <translation>إزالة الجهاز المحدد</translation>
    </message>
    <message>
        <source>Link a new device…</source>
        <translation>ربط جهاز جديد…</translation>
    </message>
    <message>
        <source>Link a new device</source>
        <translation>ربط جهاز جديد</translation>
    </message>
    <message>
        <source>Link code as a QR code</source>
        <translation>رمز الربط كرمز QR</translation>
    </message>
    <message>
        <source>Scan it with the new device: it names this server and its certificate too.</source>
        <translation>امسحه بالجهاز الجديد: فهو يتضمن أيضًا عنوان هذا الخادم وشهادته.</translation>
    </message>
    <message>
        <source>On the new device, choose “Link this computer”, then scan this code or type:</source>
        <translation>على الجهاز الجديد، اختر «ربط هذا الحاسوب»، ثم امسح هذا الرمز أو اكتب:</translation>
    </message>
    <message>
        <source>Link code</source>
        <translation>رمز الربط</translation>
    </message>
    <message>
        <source>Check that the new device shows the same verification code:</source>
        <translation>تأكّد من أن الجهاز الجديد يعرض رمز التحقق نفسه:</translation>
    </message>
    <message>
        <source>Verification code</source>
        <translation>رمز التحقق</translation>
    </message>
    <message>
        <source>Send my message history to the new device</source>
        <translation>إرسال سجل رسائلي إلى الجهاز الجديد</translation>
    </message>
    <message>
        <source>Start the new device without history</source>
        <translation>بدء الجهاز الجديد دون سجل</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>موافقة</translation>
    </message>
    <message>
        <source>Approve the new device</source>
        <translation>الموافقة على الجهاز الجديد</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>رفض</translation>
    </message>
    <message>
        <source>Reject the new device</source>
        <translation>رفض الجهاز الجديد</translation>
    </message>
    <message>
        <source>The list could not be loaded: %1</source>
        <translation>تعذّر تحميل القائمة: %1</translation>
    </message>
    <message>
        <source>%1 (this device)</source>
        <translation>%1 (هذا الجهاز)</translation>
    </message>
    <message>
        <source>now</source>
        <translation>الآن</translation>
    </message>
    <message>
        <source>online</source>
        <translation>متصل</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>غير متصل</translation>
    </message>
    <message>
        <source>Opening a link…</source>
        <translation>جارٍ بدء الربط…</translation>
    </message>
    <message>
        <source>No link opened</source>
        <translation>لم يبدأ الربط</translation>
    </message>
    <message>
        <source>The code works until %1, once.</source>
        <translation>يصلح الرمز لمرة واحدة حتى %1.</translation>
    </message>
    <message>
        <source>Waiting for the new device…</source>
        <translation>بانتظار الجهاز الجديد…</translation>
    </message>
    <message>
        <source>“%1” (%2) wants to join your account.</source>
        <translation>يريد «%1» (%2) الانضمام إلى حسابك.</translation>
    </message>
    <message>
        <source>system not named</source>
        <translation>نظام غير محدد</translation>
    </message>
    <message>
        <source>✓ The new device read this link&apos;s QR code or address, so its key is the one it shows.</source>
        <translation>✓ قرأ الجهاز الجديد رمز QR أو عنوان هذا الرابط، لذا فمفتاحه هو الذي يعرضه.</translation>
    </message>
    <message>
        <source>The code was typed by hand: approve only if the new device shows the same verification code.</source>
        <translation>أُدخل الرمز يدويًا: لا توافق إلا إذا كان الجهاز الجديد يعرض رمز التحقق نفسه.</translation>
    </message>
    <message>
        <source>⚠ This device did not prove that it read your link. Do not approve it.</source>
        <translation>⚠ لم يُثبت هذا الجهاز أنه قرأ رابطك. لا توافق عليه.</translation>
    </message>
    <message>
        <source>Approved. The new device is signing in…</source>
        <translation>تمت الموافقة. جارٍ تسجيل دخول الجهاز الجديد…</translation>
    </message>
    <message>
        <source>“%1” is now linked to your account.</source>
        <translation>أصبح «%1» مرتبطًا بحسابك.</translation>
    </message>
    <message>
        <source>The new device was rejected.</source>
        <translation>رُفض الجهاز الجديد.</translation>
    </message>
    <message>
        <source>The code expired. Link again if you still want to add a device.</source>
        <translation>انتهت صلاحية الرمز. ابدأ الربط من جديد إن كنت لا تزال تريد إضافة جهاز.</translation>
    </message>
    <message>
        <source>Device not linked</source>
        <translation>لم يُربط الجهاز</translation>
    </message>
    <message>
        <source>Not rejected</source>
        <translation>لم يتم الرفض</translation>
    </message>
    <message>
        <source>Revoke device</source>
        <translation>إزالة الجهاز</translation>
    </message>
    <message>
        <source>Revoke “%1”? It is signed out for good and receives no more messages. To use it again, link it anew.</source>
        <translation>إزالة «%1»؟ سيُسجَّل خروجه نهائيًا ولن يتلقى أي رسائل بعد الآن. لاستخدامه مجددًا، اربطه من جديد.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>إزالة</translation>
    </message>
    <message>
        <source>Device not revoked</source>
        <translation>لم تتم إزالة الجهاز</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::GroupInfoDialog</name>
    <message>
        <source>Group info</source>
        <translation>معلومات المجموعة</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>اسم المجموعة</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>إعادة تسمية</translation>
    </message>
    <message>
        <source>Rename the group</source>
        <translation>إعادة تسمية المجموعة</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>الأعضاء</translation>
    </message>
    <message>
        <source>Make admin</source>
        <translation>تعيين مشرفًا</translation>
    </message>
    <message>
        <source>Remove from group</source>
        <translation>إزالة من المجموعة</translation>
    </message>
    <message>
        <source>Usernames, separated by spaces or commas</source>
        <translation>أسماء المستخدمين، تفصلها مسافات أو فواصل</translation>
    </message>
    <message>
        <source>Usernames to add</source>
        <translation>أسماء المستخدمين المراد إضافتهم</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>إضافة</translation>
    </message>
    <message>
        <source>Add these members</source>
        <translation>إضافة هؤلاء الأعضاء</translation>
    </message>
    <message>
        <source>Leave group…</source>
        <translation>مغادرة المجموعة…</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (أنت)</translation>
    </message>
    <message>
        <source>%1 — admin</source>
        <translation>%1 — مشرف</translation>
    </message>
    <message>
        <source>%1 — group info</source>
        <translation>%1 — معلومات المجموعة</translation>
    </message>
    <message>
        <source>This group is not known on this device.</source>
        <translation>هذه المجموعة غير معروفة على هذا الجهاز.</translation>
    </message>
    <message>
        <source>You are no longer a member of this group.</source>
        <translation>لم تعد عضوًا في هذه المجموعة.</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>لا أعضاء</numerusform>
            <numerusform>عضو واحد</numerusform>
            <numerusform>عضوان</numerusform>
            <numerusform>%n أعضاء</numerusform>
            <numerusform>%n عضوًا</numerusform>
            <numerusform>%n عضو</numerusform>
        </translation>
    </message>
    <message>
        <source>You are an admin.</source>
        <translation>أنت مشرف.</translation>
    </message>
    <message>
        <source>Remove as admin</source>
        <translation>إلغاء الإشراف</translation>
    </message>
    <message>
        <source>Remove %1 as admin</source>
        <translation>إلغاء إشراف %1</translation>
    </message>
    <message>
        <source>Make %1 an admin</source>
        <translation>تعيين %1 مشرفًا</translation>
    </message>
    <message>
        <source>Remove %1 from the group</source>
        <translation>إزالة %1 من المجموعة</translation>
    </message>
    <message>
        <source>The server answered with status %1.</source>
        <translation>ردّ الخادم بالحالة %1.</translation>
    </message>
    <message>
        <source>Group not renamed</source>
        <translation>لم تُغيَّر تسمية المجموعة</translation>
    </message>
    <message>
        <source>Group names are 1 to 100 characters.</source>
        <translation>يتكوّن اسم المجموعة من 1 إلى 100 حرف.</translation>
    </message>
    <message>
        <source>Members not added</source>
        <translation>لم يُضَف الأعضاء</translation>
    </message>
    <message>
        <source>“%1” is not a username: usernames are %2.</source>
        <translation>«%1» ليس اسم مستخدم. أسماء المستخدمين: %2.</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>إزالة عضو</translation>
    </message>
    <message>
        <source>Remove %1 from “%2”? They will no longer receive the group&apos;s messages.</source>
        <translation>إزالة %1 من «%2»؟ لن يتلقى رسائل المجموعة بعد الآن.</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>إزالة</translation>
    </message>
    <message>
        <source>Member not removed</source>
        <translation>لم تتم إزالة العضو</translation>
    </message>
    <message>
        <source>Not made an admin</source>
        <translation>لم يُعيَّن مشرفًا</translation>
    </message>
    <message>
        <source>Still an admin</source>
        <translation>لا يزال مشرفًا</translation>
    </message>
    <message>
        <source>Leave group</source>
        <translation>مغادرة المجموعة</translation>
    </message>
    <message>
        <source>Leave “%1”? You will no longer receive its messages, and only an admin can add you again.</source>
        <translation>مغادرة «%1»؟ لن تتلقى رسائلها بعد الآن، ولا يستطيع إضافتك مجددًا إلا مشرف.</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>مغادرة</translation>
    </message>
    <message>
        <source>You are still in the group</source>
        <translation>لا تزال في المجموعة</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MainWindow</name>
    <message>
        <source>Tincan — %1</source>
        <translation>Tincan — %1</translation>
    </message>
    <message>
        <source>%1&apos;s safety number changed. Verify it again before you trust new messages.</source>
        <translation>تغيّر رقم الأمان الخاص بـ %1. تحقّق منه مجددًا قبل أن تثق بالرسائل الجديدة.</translation>
    </message>
    <message>
        <source>Search (Ctrl+K)</source>
        <translation>بحث (Ctrl+K)</translation>
    </message>
    <message>
        <source>Filter conversations</source>
        <translation>تصفية المحادثات</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>المحادثات</translation>
    </message>
    <message>
        <source>Messages found</source>
        <translation>الرسائل التي عُثر عليها</translation>
    </message>
    <message>
        <source>No messages found</source>
        <translation>لم يُعثر على رسائل</translation>
    </message>
    <message>
        <source>Messages (the newest %1)</source>
        <translation>الرسائل (أحدث %1)</translation>
    </message>
    <message>
        <source>Messages (%1)</source>
        <translation>الرسائل (%1)</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>محادثة جديدة</translation>
    </message>
    <message>
        <source>Start a new chat</source>
        <translation>بدء محادثة جديدة</translation>
    </message>
    <message>
        <source>New group</source>
        <translation>مجموعة جديدة</translation>
    </message>
    <message>
        <source>Choose a conversation, or start a new chat.</source>
        <translation>اختر محادثة، أو ابدأ محادثة جديدة.</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>معلومات</translation>
    </message>
    <message>
        <source>Conversation info</source>
        <translation>معلومات المحادثة</translation>
    </message>
    <message>
        <source>Search in this chat</source>
        <translation>البحث في هذه المحادثة</translation>
    </message>
    <message>
        <source>Older match (Enter)</source>
        <translation>النتيجة الأقدم (Enter)</translation>
    </message>
    <message>
        <source>Older match</source>
        <translation>النتيجة الأقدم</translation>
    </message>
    <message>
        <source>Newer match (Shift+Enter)</source>
        <translation>النتيجة الأحدث (Shift+Enter)</translation>
    </message>
    <message>
        <source>Newer match</source>
        <translation>النتيجة الأحدث</translation>
    </message>
    <message>
        <source>Close the search</source>
        <translation>إغلاق البحث</translation>
    </message>
    <message>
        <source>No results</source>
        <translation>لا توجد نتائج</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation>
            <numerusform>لا توجد نتائج</numerusform>
            <numerusform>نتيجة واحدة</numerusform>
            <numerusform>نتيجتان</numerusform>
            <numerusform>%n نتائج</numerusform>
            <numerusform>%n نتيجة</numerusform>
            <numerusform>%n نتيجة</numerusform>
        </translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>الرسائل</translation>
    </message>
    <message>
        <source>Jump to latest ↓</source>
        <translation>الانتقال إلى الأحدث ↓</translation>
    </message>
    <message>
        <source>Jump to the latest message</source>
        <translation>الانتقال إلى أحدث رسالة</translation>
    </message>
    <message>
        <source>Attach a file (Ctrl+O)</source>
        <translation>إرفاق ملف (Ctrl+O)</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>إرفاق ملف</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>إرسال</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>إرسال الرسالة</translation>
    </message>
    <message>
        <source>&amp;Tincan</source>
        <translation>Tincan</translation>
    </message>
    <message>
        <source>&amp;New chat…</source>
        <translation>محادثة جديدة…</translation>
    </message>
    <message>
        <source>New &amp;group…</source>
        <translation>مجموعة جديدة…</translation>
    </message>
    <message>
        <source>&amp;Close window</source>
        <translation>إغلاق النافذة</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>إنهاء</translation>
    </message>
    <message>
        <source>Quit Tincan</source>
        <translation>إنهاء Tincan</translation>
    </message>
    <message>
        <source>This computer hosts your team&apos;s Tincan server. Quitting stops the server for everyone until you start Tincan again.

Quit anyway?</source>
        <translation>يستضيف هذا الحاسوب خادم Tincan الخاص بفريقك. سيؤدي الإنهاء إلى إيقاف الخادم للجميع إلى أن تشغّل Tincan مجددًا.

هل تريد الإنهاء على أي حال؟</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>المحادثة</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>بحث</translation>
    </message>
    <message>
        <source>&amp;Find in this chat</source>
        <translation>البحث في هذه المحادثة</translation>
    </message>
    <message>
        <source>Next &amp;unread</source>
        <translation>المحادثة غير المقروءة التالية</translation>
    </message>
    <message>
        <source>&amp;Attach a file…</source>
        <translation>إرفاق ملف…</translation>
    </message>
    <message>
        <source>Jump to &amp;latest</source>
        <translation>الانتقال إلى الأحدث</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>نسخ</translation>
    </message>
    <message>
        <source>&amp;Do not disturb</source>
        <translation>عدم الإزعاج</translation>
    </message>
    <message>
        <source>Show Tincan</source>
        <translation>إظهار Tincan</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>إنهاء</translation>
    </message>
    <message>
        <source>Tincan (%1)</source>
        <translation>Tincan (%1)</translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation>Tincan</translation>
    </message>
    <message>
        <source>(%1) Tincan — %2</source>
        <translation>(%1) Tincan — %2</translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>يكتب…</translation>
    </message>
    <message>
        <source>%1 typing…</source>
        <translation>%1 يكتب…</translation>
    </message>
    <message>
        <source>You are no longer a member of this group.</source>
        <translation>لم تعد عضوًا في هذه المجموعة.</translation>
    </message>
    <message numerus="yes">
        <source>%n members</source>
        <translation>
            <numerusform>لا أعضاء</numerusform>
            <numerusform>عضو واحد</numerusform>
            <numerusform>عضوان</numerusform>
            <numerusform>%n أعضاء</numerusform>
            <numerusform>%n عضوًا</numerusform>
            <numerusform>%n عضو</numerusform>
        </translation>
    </message>
    <message>
        <source>online</source>
        <translation>متصل</translation>
    </message>
    <message>
        <source>last seen at %1</source>
        <translation>آخر ظهور الساعة %1</translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation>آخر ظهور في %1</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>غير متصل</translation>
    </message>
    <message>
        <source>Message not sent</source>
        <translation>لم تُرسَل الرسالة</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>File not sent</source>
        <translation>لم يُرسَل الملف</translation>
    </message>
    <message>
        <source>Encrypting and uploading…</source>
        <translation>جارٍ التشفير والرفع…</translation>
    </message>
    <message>
        <source>Send files</source>
        <translation>إرسال ملفات</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>رسالة جديدة</translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation>%1 في %2</translation>
    </message>
    <message>
        <source>Sent a file</source>
        <translation>أرسل ملفًا</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>متصل</translation>
    </message>
    <message>
        <source>Offline — reconnecting</source>
        <translation>غير متصل — جارٍ إعادة الاتصال</translation>
    </message>
    <message>
        <source>hosting the server on port %1</source>
        <translation>يستضيف الخادم على المنفذ %1</translation>
    </message>
    <message numerus="yes">
        <source>Offline: %n message(s) will be sent when the connection returns.</source>
        <translation>
            <numerusform>غير متصل: لا توجد رسائل بانتظار الإرسال.</numerusform>
            <numerusform>غير متصل: ستُرسَل رسالة واحدة عند عودة الاتصال.</numerusform>
            <numerusform>غير متصل: ستُرسَل رسالتان عند عودة الاتصال.</numerusform>
            <numerusform>غير متصل: ستُرسَل %n رسائل عند عودة الاتصال.</numerusform>
            <numerusform>غير متصل: ستُرسَل %n رسالة عند عودة الاتصال.</numerusform>
            <numerusform>غير متصل: ستُرسَل %n رسالة عند عودة الاتصال.</numerusform>
        </translation>
    </message>
    <message>
        <source>The group was not created: %1</source>
        <translation>لم تُنشأ المجموعة: %1</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>إلغاء الكتم</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>كتم</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>إلغاء التثبيت</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>تثبيت</translation>
    </message>
    <message>
        <source>Mark as read</source>
        <translation>تعليم كمقروءة</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>نسخ</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>فتح الملف</translation>
    </message>
    <message>
        <source>Read by…</source>
        <translation>قرأها…</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>إشعارات الاستلام والقراءة</translation>
    </message>
    <message>
        <source>Cannot open the file</source>
        <translation>تعذّر فتح الملف</translation>
    </message>
    <message>
        <source>Download failed</source>
        <translation>فشل التنزيل</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>تم حفظ %1</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 من %2</translation>
    </message>
    <message>
        <source>Tincan stopped talking to the server</source>
        <translation>توقّف Tincan عن التواصل مع الخادم</translation>
    </message>
    <message>
        <source>If the server&apos;s certificate changed, ask your administrator whether that was expected. Tincan will not connect to a server it cannot verify.</source>
        <translation>إذا تغيّرت شهادة الخادم، فاسأل مسؤول النظام إن كان ذلك متوقعًا. لن يتصل Tincan بخادم لا يستطيع التحقق منه.</translation>
    </message>
    <message>
        <source>Tincan is still running</source>
        <translation>لا يزال Tincan يعمل</translation>
    </message>
    <message>
        <source>The server keeps serving your team from the tray. Use Quit to stop it.</source>
        <translation>يواصل الخادم خدمة فريقك من علبة النظام. استخدم «إنهاء» لإيقافه.</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>الإعدادات…</translation>
    </message>
    <message>
        <source>Copy selected text</source>
        <translation>نسخ النص المحدد</translation>
    </message>
    <message>
        <source>Cancel upload</source>
        <translation>إلغاء الرفع</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>حذف</translation>
    </message>
    <message>
        <source>Cannot delete the message</source>
        <translation>تعذّر حذف الرسالة</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>تم فتح %1</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation>اليوم</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>أمس</translation>
    </message>
    <message>
        <source>%1 — %2%</source>
        <translation>%1 — %2%</translation>
    </message>
    <message>
        <source>%1 — waiting to upload</source>
        <translation>%1 — في انتظار الرفع</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1، %2</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MessageModel</name>
    <message>
        <source>This message could not be decrypted (%1). Tincan asked the sender&apos;s device to send it again.</source>
        <translation>تعذّر فك تشفير هذه الرسالة (%1). طلب Tincan من جهاز المرسل إرسالها مجددًا.</translation>
    </message>
    <message>
        <source>unknown reason</source>
        <translation>سبب غير معروف</translation>
    </message>
    <message>
        <source>You</source>
        <translation>أنت</translation>
    </message>
    <message>
        <source>%1 at %2: %3</source>
        <translation>%1 الساعة %2: %3</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>جارٍ الإرسال</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>أُرسلت</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>وصلت</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>قُرئت</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>لم تُرسَل: %1</translation>
    </message>
    <message>
        <source>Read by %1 of %2</source>
        <translation>قرأها %1 من %2</translation>
    </message>
    <message>
        <source>Delivered to %1 of %2</source>
        <translation>وصلت إلى %1 من %2</translation>
    </message>
    <message>
        <source>%1: read</source>
        <translation>%1: قرأها</translation>
    </message>
    <message>
        <source>%1: delivered</source>
        <translation>%1: وصلت</translation>
    </message>
    <message>
        <source>%1: sent</source>
        <translation>%1: أُرسلت</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>جارٍ الرفع</translation>
    </message>
    <message>
        <source>Video, %1</source>
        <translation>فيديو، %1</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>فيديو</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::QrCodeWidget</name>
    <message>
        <source>QR code</source>
        <translation>رمز QR</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SearchDelegate</name>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SearchModel</name>
    <message>
        <source>%1, %2: %3</source>
        <translation>%1، %2: %3</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ServerHost</name>
    <message>
        <source>The server program could not be started (%1).</source>
        <translation>تعذّر تشغيل برنامج الخادم (%1).</translation>
    </message>
    <message>
        <source>The server stopped (exit code %1).
%2</source>
        <translation>توقّف الخادم (رمز الخروج %1).
%2</translation>
    </message>
    <message>
        <source>The server could not start.
%1</source>
        <translation>تعذّر بدء تشغيل الخادم.
%1</translation>
    </message>
    <message>
        <source>The server program (tincand) was not found next to Tincan.</source>
        <translation>لم يُعثر على برنامج الخادم (tincand) بجانب Tincan.</translation>
    </message>
    <message>
        <source>Cannot create the server&apos;s data directory %1.</source>
        <translation>تعذّر إنشاء مجلد بيانات الخادم %1.</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::Session</name>
    <message>
        <source>No keychain is available (%1).
Choose a passphrase that protects this profile&apos;s messages:</source>
        <translation>لا تتوفر سلسلة مفاتيح (%1).
اختر عبارة مرور تحمي رسائل هذا الملف الشخصي:</translation>
    </message>
    <message>
        <source>Enter the passphrase of this profile (%1):</source>
        <translation>أدخل عبارة المرور لهذا الملف الشخصي (%1):</translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation>Tincan</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>الإعدادات</translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation>صفحات الإعدادات</translation>
    </message>
    <message>
        <source>Account &amp;&amp; devices</source>
        <translation>الحساب والأجهزة</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>الإشعارات</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>الخصوصية</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>المظهر</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>الخادم</translation>
    </message>
    <message>
        <source>New messages</source>
        <translation>الرسائل الجديدة</translation>
    </message>
    <message>
        <source>Show the sender and the text in notifications</source>
        <translation>إظهار المرسل والنص في الإشعارات</translation>
    </message>
    <message>
        <source>Off: notifications only say “New message”, for screens others can see.</source>
        <translation>عند الإيقاف: تعرض الإشعارات «رسالة جديدة» فقط، للشاشات التي يراها الآخرون.</translation>
    </message>
    <message>
        <source>Do not disturb (no notifications)</source>
        <translation>عدم الإزعاج (بلا إشعارات)</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>الإرسال</translation>
    </message>
    <message>
        <source>Enter sends the message, Shift+Enter starts a new line</source>
        <translation>الإرسال بـ Enter، وسطر جديد بـ Shift+Enter</translation>
    </message>
    <message>
        <source>Ctrl+Enter sends the message, Enter starts a new line</source>
        <translation>الإرسال بـ Ctrl+Enter، وسطر جديد بـ Enter</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>النافذة</translation>
    </message>
    <message>
        <source>Keep Tincan running in the tray when the window closes</source>
        <translation>إبقاء Tincan يعمل في علبة النظام عند إغلاق النافذة</translation>
    </message>
    <message>
        <source>This desktop has no system tray: closing the window quits Tincan.</source>
        <translation>لا توجد علبة نظام في سطح المكتب هذا: إغلاق النافذة يُنهي Tincan.</translation>
    </message>
    <message>
        <source>Send read receipts</source>
        <translation>إرسال إشعارات القراءة</translation>
    </message>
    <message>
        <source>Off: others do not see when you read their messages, and you do not see when they read yours. Delivery ticks stay.</source>
        <translation>عند الإيقاف: لا يرى الآخرون متى قرأت رسائلهم، ولا ترى متى قرأوا رسائلك. تبقى علامات الوصول.</translation>
    </message>
    <message>
        <source>Show when I am online and when I was last seen</source>
        <translation>إظهار متى أكون متصلًا وآخر ظهور لي</translation>
    </message>
    <message>
        <source>Off: no one sees whether you are online, and you do not see anyone&apos;s presence either.</source>
        <translation>عند الإيقاف: لا يرى أحد إن كنت متصلًا، ولا ترى أنت حالة اتصال أحد أيضًا.</translation>
    </message>
    <message>
        <source>The server could not be asked (%1): showing the last known choice.</source>
        <translation>تعذّر سؤال الخادم (%1): يُعرض آخر خيار معروف.</translation>
    </message>
    <message>
        <source>Privacy setting not changed</source>
        <translation>لم يتغيّر إعداد الخصوصية</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>السمة</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>حسب النظام</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>فاتح</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>داكن</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>اللغة</translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation>لغة النظام</translation>
    </message>
    <message>
        <source>Windows opened from now on use the new language; restart Tincan to apply it everywhere.</source>
        <translation>ستستخدم النوافذ التي تُفتح من الآن اللغة الجديدة؛ أعد تشغيل Tincan لتطبيقها في كل مكان.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>عنوان الخادم</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>الخادم:</translation>
    </message>
    <message>
        <source>Certificate fingerprint</source>
        <translation>بصمة الشهادة</translation>
    </message>
    <message>
        <source>none (the connection is not encrypted)</source>
        <translation>لا توجد (الاتصال غير مشفّر)</translation>
    </message>
    <message>
        <source>Certificate SHA-256:</source>
        <translation>بصمة SHA-256 للشهادة:</translation>
    </message>
    <message>
        <source>Tincan only talks to a server that shows this certificate. Compare it with the one your administrator announced.</source>
        <translation>لا يتصل Tincan إلا بخادم يعرض هذه الشهادة. قارن البصمة بالتي أعلنها مسؤول النظام.</translation>
    </message>
    <message>
        <source>This computer hosts the server</source>
        <translation>هذا الحاسوب يستضيف الخادم</translation>
    </message>
    <message>
        <source>Addresses of the hosted server</source>
        <translation>عناوين الخادم المستضاف</translation>
    </message>
    <message>
        <source>Others connect to:</source>
        <translation>يتصل الآخرون بـ:</translation>
    </message>
    <message>
        <source>Port of the hosted server</source>
        <translation>منفذ الخادم المستضاف</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>المنفذ:</translation>
    </message>
    <message>
        <source>Users online</source>
        <translation>المستخدمون المتصلون</translation>
    </message>
    <message>
        <source>Online now:</source>
        <translation>المتصلون الآن:</translation>
    </message>
    <message>
        <source>Data size of the hosted server</source>
        <translation>حجم بيانات الخادم المستضاف</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>البيانات:</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>تحديث</translation>
    </message>
    <message>
        <source>Refresh the server&apos;s status</source>
        <translation>تحديث حالة الخادم</translation>
    </message>
    <message>
        <source>Quitting Tincan stops the server for everyone. Closing the window keeps it running in the tray.</source>
        <translation>إنهاء Tincan يوقف الخادم للجميع. أما إغلاق النافذة فيُبقيه يعمل في علبة النظام.</translation>
    </message>
    <message>
        <source>(only this computer can connect)</source>
        <translation>(لا يمكن الاتصال إلا من هذا الحاسوب)</translation>
    </message>
    <message>
        <source>unknown (%1)</source>
        <translation>غير معروف (%1)</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s)</source>
        <translation>
            <numerusform>لا أجهزة</numerusform>
            <numerusform>جهاز واحد</numerusform>
            <numerusform>جهازان</numerusform>
            <numerusform>%n أجهزة</numerusform>
            <numerusform>%n جهازًا</numerusform>
            <numerusform>%n جهاز</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SetupDialog</name>
    <message>
        <source>Welcome to Tincan</source>
        <translation>مرحبًا بك في Tincan</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Choose your team&apos;s server&lt;/h3&gt;Tincan runs on your own network. Pick a server found nearby, type its address, or host one on this computer.</source>
        <translation>&lt;h3&gt;اختر خادم فريقك&lt;/h3&gt;يعمل Tincan على شبكتك الخاصة. اختر خادمًا عُثر عليه بالقرب منك، أو اكتب عنوانه، أو استضِف خادمًا على هذا الحاسوب.</translation>
    </message>
    <message>
        <source>A server found on this network:</source>
        <translation>خادم عُثر عليه على هذه الشبكة:</translation>
    </message>
    <message>
        <source>Servers found on this network</source>
        <translation>الخوادم التي عُثر عليها على هذه الشبكة</translation>
    </message>
    <message>
        <source>The server at this address:</source>
        <translation>الخادم على هذا العنوان:</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>عنوان الخادم</translation>
    </message>
    <message>
        <source>Host a server on this computer</source>
        <translation>استضافة خادم على هذا الحاسوب</translation>
    </message>
    <message>
        <source>Everyone on your network can then connect to this computer. The server keeps running while Tincan is in the tray; quitting Tincan stops it for everyone.</source>
        <translation>سيتمكن بعدها كل من على شبكتك من الاتصال بهذا الحاسوب. يظل الخادم يعمل ما دام Tincan في علبة النظام، وإنهاء Tincan يوقفه للجميع.</translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation>التالي</translation>
    </message>
    <message>
        <source>if the server asks for one</source>
        <translation>إذا طلبه الخادم</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>اسم المستخدم:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>كلمة المرور:</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>تأكيد كلمة المرور:</translation>
    </message>
    <message>
        <source>&amp;Invite code:</source>
        <translation>رمز الدعوة:</translation>
    </message>
    <message>
        <source>Create an account</source>
        <translation>إنشاء حساب</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>تسجيل الدخول</translation>
    </message>
    <message>
        <source>On your other device, open Settings → Account &amp; devices → Link a new device…, then type the code it shows or paste its link.</source>
        <translation>على جهازك الآخر، افتح الإعدادات ← الحساب والأجهزة ← ربط جهاز جديد…، ثم اكتب الرمز الذي يعرضه أو الصق رابطه.</translation>
    </message>
    <message>
        <source>&amp;Code or link:</source>
        <translation>الرمز أو الرابط:</translation>
    </message>
    <message>
        <source>Link this computer</source>
        <translation>ربط هذا الحاسوب</translation>
    </message>
    <message>
        <source>&amp;Device name:</source>
        <translation>اسم الجهاز:</translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation>متابعة</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>رجوع</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Cannot look for servers: %1</source>
        <translation>تعذّر البحث عن خوادم: %1</translation>
    </message>
    <message>
        <source>Starting the server…</source>
        <translation>جارٍ تشغيل الخادم…</translation>
    </message>
    <message>
        <source>Choose one of the servers found, or type an address.</source>
        <translation>اختر أحد الخوادم التي عُثر عليها، أو اكتب عنوانًا.</translation>
    </message>
    <message>
        <source>That is not a server address. It looks like https://HOST:PORT.</source>
        <translation>هذا ليس عنوان خادم. يكون العنوان على الشكل https://HOST:PORT.</translation>
    </message>
    <message>
        <source>The server did not answer within 10 seconds.</source>
        <translation>لم يستجب الخادم خلال 10 ثوانٍ.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>جارٍ الاتصال بـ %1…</translation>
    </message>
    <message>
        <source>Cannot reach %1: %2</source>
        <translation>تعذّر الوصول إلى %1: %2</translation>
    </message>
    <message>
        <source>Certificate mismatch</source>
        <translation>الشهادة غير مطابقة</translation>
    </message>
    <message>
        <source>The server at %1 shows a certificate that is not the one it announced on the network.

Announced: %2
Shown: %3

Someone may be impersonating the server. Tincan will not connect.</source>
        <translation>يعرض الخادم على %1 شهادة غير تلك التي أعلن عنها على الشبكة.

المُعلَنة: %2
المعروضة: %3

ربما ينتحل أحدهم صفة الخادم. لن يتصل Tincan.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1 (no encryption in transit)</source>
        <translation>&lt;b&gt;الخادم:&lt;/b&gt; %1 (بلا تشفير أثناء النقل)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Certificate SHA-256:&lt;/b&gt; &lt;tt&gt;%2&lt;/tt&gt;&lt;br&gt;Compare it with the one your administrator gave you (or the one shown in the hosting app&apos;s settings). Tincan will refuse any other certificate from now on.</source>
        <translation>&lt;b&gt;الخادم:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;بصمة SHA-256 للشهادة:&lt;/b&gt; &lt;tt&gt;%2&lt;/tt&gt;&lt;br&gt;قارنها بالبصمة التي أعطاك إياها مسؤول النظام (أو المعروضة في إعدادات التطبيق المستضيف). سيرفض Tincan أي شهادة أخرى من الآن فصاعدًا.</translation>
    </message>
    <message>
        <source>Give this device a name (1 to 64 characters).</source>
        <translation>أعطِ هذا الجهاز اسمًا (من 1 إلى 64 حرفًا).</translation>
    </message>
    <message>
        <source>The server refused (%1).</source>
        <translation>رفض الخادم الطلب (%1).</translation>
    </message>
    <message>
        <source>Usernames are %1.</source>
        <translation>أسماء المستخدمين: %1.</translation>
    </message>
    <message>
        <source>Choose a password of at least 8 characters.</source>
        <translation>اختر كلمة مرور من 8 أحرف على الأقل.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>كلمتا المرور غير متطابقتين.</translation>
    </message>
    <message>
        <source>Creating the account and this device&apos;s keys…</source>
        <translation>جارٍ إنشاء الحساب ومفاتيح هذا الجهاز…</translation>
    </message>
    <message>
        <source>Enter your username and password.</source>
        <translation>أدخل اسم المستخدم وكلمة المرور.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>جارٍ تسجيل الدخول…</translation>
    </message>
    <message>
        <source>Type the code your other device shows, or paste its link.</source>
        <translation>اكتب الرمز الذي يعرضه جهازك الآخر، أو الصق رابطه.</translation>
    </message>
    <message>
        <source>Asking your other device…</source>
        <translation>جارٍ سؤال جهازك الآخر…</translation>
    </message>
    <message>
        <source>Linking to &lt;b&gt;%1&lt;/b&gt;. Check that your other device shows &lt;b&gt;%2&lt;/b&gt;, and approve it there.</source>
        <translation>جارٍ الربط مع &lt;b&gt;%1&lt;/b&gt;. تأكّد من أن جهازك الآخر يعرض &lt;b&gt;%2&lt;/b&gt;، ثم وافق على الربط هناك.</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::UserPicker</name>
    <message>
        <source>New group</source>
        <translation>مجموعة جديدة</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>محادثة جديدة</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>اسم المجموعة</translation>
    </message>
    <message>
        <source>Group &amp;name:</source>
        <translation>اسم المجموعة:</translation>
    </message>
    <message>
        <source>Type a username</source>
        <translation>اكتب اسم مستخدم</translation>
    </message>
    <message>
        <source>Find people</source>
        <translation>البحث عن أشخاص</translation>
    </message>
    <message>
        <source>&amp;Add people:</source>
        <translation>إضافة أشخاص:</translation>
    </message>
    <message>
        <source>&amp;Find:</source>
        <translation>بحث:</translation>
    </message>
    <message>
        <source>People on this server</source>
        <translation>الأشخاص على هذا الخادم</translation>
    </message>
    <message>
        <source>Create group</source>
        <translation>إنشاء مجموعة</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>محادثة</translation>
    </message>
    <message>
        <source>Members: %1</source>
        <translation>الأعضاء: %1</translation>
    </message>
    <message>
        <source>No username starts like that.</source>
        <translation>لا يوجد اسم مستخدم يبدأ بهذا.</translation>
    </message>
    <message>
        <source>Nobody on this server has a name starting with that.</source>
        <translation>لا أحد على هذا الخادم يبدأ اسمه بهذا.</translation>
    </message>
    <message>
        <source>Give the group a name (1 to 100 characters).</source>
        <translation>أعطِ المجموعة اسمًا (من 1 إلى 100 حرف).</translation>
    </message>
    <message>
        <source>Tick the people to add.</source>
        <translation>حدّد الأشخاص الذين تريد إضافتهم.</translation>
    </message>
    <message>
        <source>Choose someone from the list.</source>
        <translation>اختر شخصًا من القائمة.</translation>
    </message>
</context>
</TS>
