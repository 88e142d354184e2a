// Labels in English and Chinese; the choice is remembered in localStorage.

const LANG_KEY = "oms.console.lang";

const en = {
  brand: "OMS console", main_navigation: "Main", nav_queues: "Queues", nav_orders: "Orders", nav_inventory: "Inventory",
  nav_reports: "Reports", switch_language: "Switch language", sign_out: "Sign out", loading: "Loading…",
  nav_webhooks: "Webhooks", webhooks_title: "Outbound webhooks", webhook_subscriptions: "Subscriptions",
  webhook_new: "New subscription", webhook_create: "Subscribe", webhook_url: "Endpoint URL",
  webhook_types: "Event types", webhook_types_hint: "Comma separated: order.paid, order.shipped … or * for every event",
  webhook_owner: "Owner e-mail", webhook_failing_since: "Failing since", webhook_none: "No subscription yet.",
  webhook_secret_once: "Signing secret (shown once, keep it now):", webhook_subscription: "Webhook subscription",
  webhook_pause: "Pause", webhook_resume: "Resume", webhook_paused: "Subscription paused.",
  webhook_resumed: "Subscription resumed.", webhook_rotate: "Rotate secret", webhook_deliveries: "Deliveries",
  webhook_event: "Event", webhook_attempts: "Attempts", webhook_replay: "Replay",
  webhook_replayed: "Delivery queued again.", webhook_no_deliveries: "No delivery yet.", back: "Back",
  title_queues: "Queues", title_order: "Order", title_ret: "Return", title_inventory: "Inventory", title_orders: "Orders",
  title_reports: "Reports", title_signin: "Sign in",
  session_expired: "Your session has ended. Sign in again.", could_not_load: "This page could not be loaded",
  not_found: "Not found", back_to_queues: "Back to the queues", dismiss: "Dismiss",
  not_available: "{what}: not available on this server yet.", not_available_short: "not available yet",
  nothing_here: "Nothing here.", check_fields: "Some fields need attention", required: "Required",
  whole_number: "Enter a whole number", not_an_amount: "Enter an amount such as 12.50",
  // sign in
  signin_title: "Sign in to the console", signin_lead: "Staff sign in with a back-office account (admin group).",
  sign_in: "Sign in", sign_in_local_admin: "Sign in as local admin", sign_in_with_sso: "Sign in with your company account",
  or_paste_token: "or paste a bearer token", bearer_token: "Bearer token",
  token_hint_local: "A JWT the local gateway accepts.", token_hint_aws: "An ID token from the identity provider.",
  token_how: "Getting a token locally", token_step_run: "Start the local stack:", token_step_mint: "In another terminal:",
  token_step_paste: "Paste the printed token above.",
  // queues
  queues_title: "Today's queues", refresh: "Refresh", queue_review: "To review", queue_pick: "To pick",
  queue_inspect: "Parcels to inspect", queue_exceptions: "Open exceptions", queue_empty: "Nothing waiting.",
  n_overdue: "{n} overdue", none_overdue: "none overdue", overdue: "overdue", kind: "Kind", id: "ID", customer: "Customer",
  why: "Why", amount: "Amount", deadline: "Deadline", order: "Order", return: "Return", priority: "Priority",
  perishable: "perishable", paid_at: "Paid", ship_by: "Ship by", reason: "Reason", exception_kind: "Exception",
  owner: "Owner", opened: "Opened", note: "Note",
  // order
  items: "Items", sku: "SKU", product: "Product", quantity: "Qty", unit_price: "Unit price", discount: "Discount",
  line_total: "Line total", shipped: "Shipped", returned: "Refunded / asked", money: "Money", subtotal: "Subtotal",
  shipping_fee: "Shipping", total: "Total", captured: "Captured", refunded: "Refunded", refundable: "Refundable",
  payment_method: "Payment", refunds: "Refunds", refund: "Refund", status: "Status", shipments: "Shipments",
  shipped_at: "Shipped", promised_by: "Promised by", delivered_at: "Delivered", contents: "Contents",
  tracking: "Tracking history", when: "When", where: "Where", no_shipments: "Not shipped yet.", returns: "Returns",
  no_returns: "No returns.", timeline: "Timeline", details: "Details", channel: "Channel", placed_at: "Placed",
  deliver_by: "Deliver by", review_reasons: "Held because", address: "Ship to", notes: "Notes", no_notes: "No notes.",
  actions: "Actions", review_order: "Review", decision: "Decision", approve: "Approve", reject: "Reject",
  review_reason_placeholder: "e.g. address and customisation checked", submit_review: "Save review",
  review_saved: "Review saved.", ship_order: "Ship", carrier: "Carrier", tracking_number: "Tracking number",
  ship: "Ship order", shipped_saved: "Shipment recorded; the buyer is told.", cancel_order: "Cancel order",
  confirm_cancel: "Click again to cancel", cancel_hint: "Stock goes back; a paid order is refunded.",
  cancelled_saved: "Order cancelled.", no_actions: "Nothing to do while it is {status}.", exceptions: "Exceptions",
  no_exceptions: "No exceptions.", record_exception: "Record an exception", resolution: "Resolution", resolve: "Resolve", resolved_at: "Resolved",
  amount_in: "Amount ({currency})", exception_recorded: "Exception recorded.", exception_resolved: "Exception resolved.",
  // return
  request: "Request", description: "Description", refund_method: "Refund to", return_shipping_paid_by: "Return shipping paid by",
  requested_at: "Requested", review_by: "Review by", evidence: "Evidence", evidence_image: "Evidence photo",
  image_not_loaded: "image not loaded", no_evidence: "No photos attached.", policy_verdict: "Policy verdict",
  verdict_rules_approved: "Approved by the return rules", verdict_staff: "{decision} by {by}",
  verdict_needs_person: "The rules leave this to a person", verdict_pending: "Not decided yet",
  why_no_evidence: "This reason needs photos and none were attached.",
  why_preference: "A preference return (not the seller's fault) outside the no-questions window needs a person.",
  why_rules_undecided: "The rules could not decide on their own.", alternative: "Alternative",
  merchant_fault: "Seller's fault", evidence_required: "Photos required", windows: "Windows",
  windows_text: "{no_reason} days no-questions · {quality} days for quality issues", yes: "yes", no: "no",
  parcel: "Parcel", no_parcel: "The buyer has not sent the parcel yet.", received_at: "Received", instructions: "Instructions given",
  return_address: "Return address", ship_within: "Ship within", n_days: "{n} days", insurance_advised: "Insurance advised",
  inspection_and_refund: "Inspection and refund", received: "Received", condition: "Condition", inspected_by: "Inspected",
  disputed: "Disputed", refund_due: "Refund due", not_inspected: "Not inspected yet.", refunded_at: "Refunded",
  no_refund_yet: "No refund yet.", instant_refund: "Instant refund", decided_at: "Decided", outcome: "Outcome", decide_return: "Decide", offer_alternative: "Offer instead",
  none: "nothing", decision_reason_placeholder: "e.g. photos show the defect", submit_decision: "Save decision",
  decision_saved: "Decision saved; the buyer is told.", inspect_parcel: "Inspect the parcel",
  received_of: "{sku}: received (of {n})", condition_of: "{sku}: condition", record_inspection: "Record inspection",
  inspection_saved: "Inspection recorded.", messages: "Messages", no_messages: "No messages yet.", reply: "Reply",
  send_reply: "Send reply", reply_sent: "Reply sent.", ctrl_enter: "Ctrl+Enter sends.",
  // inventory
  inventory_title: "Inventory", find_product: "Find a product", show_stock: "Show stock", stock_pool: "Shared pool",
  on_hand: "On hand", reserved: "Reserved", available: "Available", stock_by_channel: "By channel", allocation: "Allocation",
  safety_stock: "Safety stock", no_channel_allocations: "No channel allocations: every channel sells from the pool.",
  adjust_stock: "Adjust stock", delta: "Change (+/−)", delta_hint: "Positive receives stock, negative writes it off.",
  shared_pool: "Shared pool", apply_adjustment: "Apply", adjustment_saved: "Stock adjusted.", channel_allocation: "Channel allocation",
  allocation_hint: "How much of the pool this channel may sell.", save_allocation: "Save allocation",
  allocation_saved: "Allocation saved.",
  // orders
  orders_title: "Orders", filters: "Filters", any: "any", from: "From", to: "To", exception: "Exception",
  with_open_exception: "with an open exception", without_exception: "without", search: "Search", results: "Results",
  created_at: "Created", load_more: "Load more", no_orders_found: "No orders match.", fix_filters: "Check the filters.",
  // reports
  reports_title: "Reports", show: "Show", report_orders: "Orders and GMV per day", report_exceptions: "Exceptions by kind",
  report_returns: "Returns", report_sla: "SLA compliance", report_carriers: "Carriers", orders: "Orders", gmv: "GMV",
  cancellation_rate: "Cancellation rate", exception_rate: "Exception rate", fulfilment_hours_avg: "Paid → shipped (avg)",
  delivery_hours_avg: "Shipped → delivered (avg)", orders_per_day: "Orders and GMV per day", no_data: "No data in this range.",
  field_missing: "Not in the report yet.", return_rate: "Return rate", approval_rate: "Approval rate",
  instant_refunds: "Instant refunds", instant_dispute_rate: "Instant refunds disputed",
  return_rate_by_reason: "Return rate by reason", return_rate_by_category: "Return rate by category",
  review_sla: "Return reviews within their deadline", refund_sla: "Refunds within their deadline", met: "met",
  breached: "breached", on_time_rate: "On-time rate", by_carrier: "By carrier",
  feedback: "Buyer feedback", rating: "Rating", feedback_tags: "Tags", comment: "Comment", given_at: "Given",
  editable_until: "Editable until", no_feedback: "No feedback yet.", report_feedback: "Buyer feedback",
  feedbacks: "Ratings", average_rating: "Average rating", by_sku: "By SKU", top_tags: "Tags", transit_hours: "Transit (h)",
  damage_rate: "Damage rate", loss_rate: "Loss rate", delivered: "Delivered", n_returns: "({n} returns)",
};

const zh = {
  brand: "订单运营后台", main_navigation: "主导航", nav_queues: "待办", nav_orders: "订单", nav_inventory: "库存",
  nav_reports: "报表", switch_language: "切换语言", sign_out: "退出", loading: "加载中…",
  nav_webhooks: "Webhook", webhooks_title: "外发 Webhook", webhook_subscriptions: "订阅",
  webhook_new: "新建订阅", webhook_create: "订阅", webhook_url: "接收地址",
  webhook_types: "事件类型", webhook_types_hint: "用逗号分隔：order.paid, order.shipped …，* 表示全部事件",
  webhook_owner: "负责人邮箱", webhook_failing_since: "失败开始于", webhook_none: "暂无订阅。",
  webhook_secret_once: "签名密钥（只显示一次，请立即保存）：", webhook_subscription: "Webhook 订阅",
  webhook_pause: "暂停", webhook_resume: "恢复", webhook_paused: "订阅已暂停。",
  webhook_resumed: "订阅已恢复。", webhook_rotate: "轮换密钥", webhook_deliveries: "投递记录",
  webhook_event: "事件", webhook_attempts: "尝试", webhook_replay: "重新投递",
  webhook_replayed: "已重新排队投递。", webhook_no_deliveries: "暂无投递。", back: "返回",
  title_queues: "待办", title_order: "订单", title_ret: "退货", title_inventory: "库存", title_orders: "订单",
  title_reports: "报表", title_signin: "登录",
  session_expired: "登录已失效，请重新登录。", could_not_load: "页面无法加载", not_found: "未找到",
  back_to_queues: "返回待办", dismiss: "关闭", not_available: "{what}：服务器暂未提供。", not_available_short: "暂未提供",
  nothing_here: "暂无内容。", check_fields: "请检查以下字段", required: "必填", whole_number: "请输入整数",
  not_an_amount: "请输入金额，例如 12.50",
  signin_title: "登录运营后台", signin_lead: "运营人员使用后台账号（admin 组）登录。", sign_in: "登录",
  sign_in_local_admin: "以本地管理员登录", sign_in_with_sso: "使用公司账号登录", or_paste_token: "或粘贴访问令牌",
  bearer_token: "访问令牌（Bearer）", token_hint_local: "本地网关接受的 JWT。", token_hint_aws: "身份提供方签发的 ID 令牌。",
  token_how: "在本地获取令牌", token_step_run: "启动本地环境：", token_step_mint: "在另一个终端运行：",
  token_step_paste: "把输出的令牌粘贴到上面。",
  queues_title: "今日待办", refresh: "刷新", queue_review: "待审核", queue_pick: "待拣货", queue_inspect: "待质检包裹",
  queue_exceptions: "未处理异常", queue_empty: "没有待办。", n_overdue: "{n} 项超时", none_overdue: "无超时",
  overdue: "已超时", kind: "类型", id: "编号", customer: "客户", why: "原因", amount: "金额", deadline: "截止时间",
  order: "订单", return: "退货", priority: "优先级", perishable: "生鲜", paid_at: "支付时间", ship_by: "最晚发货",
  reason: "原因", exception_kind: "异常类型", owner: "负责人", opened: "登记时间", note: "备注",
  items: "商品", sku: "SKU", product: "商品名称", quantity: "数量", unit_price: "单价", discount: "优惠",
  line_total: "小计", shipped: "已发货", returned: "已退款 / 申请", money: "金额", subtotal: "商品金额",
  shipping_fee: "运费", total: "应付总额", captured: "已收款", refunded: "已退款", refundable: "可退金额",
  payment_method: "支付方式", refunds: "退款记录", refund: "退款", status: "状态", shipments: "物流",
  shipped_at: "发货时间", promised_by: "承诺送达", delivered_at: "签收时间", contents: "包裹内容",
  tracking: "物流轨迹", when: "时间", where: "地点", no_shipments: "尚未发货。", returns: "退货",
  no_returns: "没有退货。", timeline: "时间线", details: "详情", channel: "渠道", placed_at: "下单时间",
  deliver_by: "预计送达", review_reasons: "审核原因", address: "收货地址", notes: "备注", no_notes: "没有备注。",
  actions: "操作", review_order: "审核", decision: "结论", approve: "通过", reject: "拒绝",
  review_reason_placeholder: "例如：已核对地址与定制信息", submit_review: "提交审核", review_saved: "审核已保存。",
  ship_order: "发货", carrier: "承运商", tracking_number: "运单号", ship: "确认发货", shipped_saved: "已发货，已通知买家。",
  cancel_order: "取消订单", confirm_cancel: "再次点击确认取消", cancel_hint: "库存将释放；已支付的订单会退款。",
  cancelled_saved: "订单已取消。", no_actions: "当前状态（{status}）下无需操作。", exceptions: "异常",
  no_exceptions: "没有异常。", record_exception: "登记异常", resolution: "处理方式", resolve: "处理", resolved_at: "处理时间",
  amount_in: "金额（{currency}）", exception_recorded: "异常已登记。", exception_resolved: "异常已处理。",
  request: "退货申请", description: "描述", refund_method: "退款方式", return_shipping_paid_by: "退货运费承担方",
  requested_at: "申请时间", review_by: "审核截止", evidence: "凭证", evidence_image: "凭证照片",
  image_not_loaded: "图片未加载", no_evidence: "没有上传照片。", policy_verdict: "政策判定",
  verdict_rules_approved: "退货规则自动通过", verdict_staff: "{by}：{decision}", verdict_needs_person: "规则无法判定，需人工审核",
  verdict_pending: "尚未判定", why_no_evidence: "该原因需要照片凭证，但未上传。",
  why_preference: "非商家责任的退货，超出七天无理由期限，需人工审核。", why_rules_undecided: "规则无法自动判定。",
  alternative: "替代方案", merchant_fault: "商家责任", evidence_required: "需要照片", windows: "退货期限",
  windows_text: "{no_reason} 天无理由 · 质量问题 {quality} 天", yes: "是", no: "否",
  parcel: "退货包裹", no_parcel: "买家尚未寄回。", received_at: "收货时间", instructions: "退货说明",
  return_address: "退货地址", ship_within: "寄回期限", n_days: "{n} 天", insurance_advised: "建议保价",
  inspection_and_refund: "质检与退款", received: "实收", condition: "状况", inspected_by: "质检",
  disputed: "有争议", refund_due: "应退金额", not_inspected: "尚未质检。", refunded_at: "退款时间",
  no_refund_yet: "尚未退款。", instant_refund: "极速退款", decided_at: "决定时间", outcome: "结果", decide_return: "审核退货", offer_alternative: "改为提供",
  none: "无", decision_reason_placeholder: "例如：照片显示有质量问题", submit_decision: "提交审核结论",
  decision_saved: "审核结论已保存，已通知买家。", inspect_parcel: "包裹质检", received_of: "{sku}：实收数量（共 {n}）",
  condition_of: "{sku}：状况", record_inspection: "提交质检结果", inspection_saved: "质检结果已保存。",
  messages: "沟通记录", no_messages: "暂无消息。", reply: "回复", send_reply: "发送回复", reply_sent: "回复已发送。",
  ctrl_enter: "Ctrl+Enter 发送。",
  inventory_title: "库存", find_product: "查找商品", show_stock: "查看库存", stock_pool: "共享库存",
  on_hand: "在库", reserved: "已占用", available: "可售", stock_by_channel: "各渠道", allocation: "分配量",
  safety_stock: "安全库存", no_channel_allocations: "未设置渠道分配：各渠道共享库存。", adjust_stock: "库存调整",
  delta: "调整量（+/−）", delta_hint: "正数为入库，负数为报损出库。", shared_pool: "共享库存", apply_adjustment: "调整",
  adjustment_saved: "库存已调整。", channel_allocation: "渠道分配", allocation_hint: "该渠道可销售的库存量。",
  save_allocation: "保存分配", allocation_saved: "分配已保存。",
  orders_title: "订单查询", filters: "筛选", any: "全部", from: "开始日期", to: "结束日期", exception: "异常",
  with_open_exception: "有未处理异常", without_exception: "无异常", search: "查询", results: "结果",
  created_at: "创建时间", load_more: "加载更多", no_orders_found: "没有符合条件的订单。", fix_filters: "请检查筛选条件。",
  reports_title: "报表", show: "查看", report_orders: "每日订单与成交额", report_exceptions: "各类异常数量",
  report_returns: "退货", report_sla: "时效达成率", report_carriers: "承运商", orders: "订单数", gmv: "成交额",
  cancellation_rate: "取消率", exception_rate: "异常率", fulfilment_hours_avg: "支付到发货（平均）",
  delivery_hours_avg: "发货到签收（平均）", orders_per_day: "每日订单与成交额", no_data: "该期间没有数据。",
  field_missing: "报表暂未提供该项。", return_rate: "退货率", approval_rate: "通过率",
  instant_refunds: "极速退款", instant_dispute_rate: "极速退款争议率",
  return_rate_by_reason: "各原因退货率", return_rate_by_category: "各品类退货率", review_sla: "退货审核按时完成",
  refund_sla: "退款按时完成", met: "按时", breached: "超时", on_time_rate: "准时率", by_carrier: "按承运商",
  feedback: "买家评价", rating: "评分", feedback_tags: "标签", comment: "评语", given_at: "评价时间",
  editable_until: "可修改至", no_feedback: "尚未评价。", report_feedback: "买家评价",
  feedbacks: "评价数", average_rating: "平均评分", by_sku: "按 SKU", top_tags: "标签",
  transit_hours: "运输时长（小时）", damage_rate: "破损率", loss_rate: "丢件率", delivered: "已签收", n_returns: "（{n} 件）",
};

const groups = {
  en: {
    status: {
      pending_payment: "pending payment", under_review: "under review", awaiting_fulfillment: "to pick",
      active: "active", paused: "paused", failing: "failing", retrying: "retrying", sending: "sending", pending: "pending",
      partially_shipped: "partly shipped", shipped: "shipped", delivered: "delivered", completed: "completed",
      cancelled: "cancelled", on_hold: "on hold", requested: "requested", approved: "approved", rejected: "rejected",
      awaiting_parcel: "awaiting parcel", in_transit: "in transit", received: "received", inspected: "inspected",
      refund_pending: "refund pending", refunded: "refunded", closed: "closed", lapsed: "lapsed", open: "open",
      resolved: "resolved", succeeded: "succeeded", failed: "failed", pending: "pending",
    },
    kind: { order: "Order", return: "Return" },
    reason: {
      quality_issue: "Quality issue", not_as_described: "Not as described", wrong_item: "Wrong item",
      damaged_in_transit: "Damaged in transit", missing_parts: "Missing parts", no_reason: "No reason (7 days)",
      changed_mind: "Changed mind", size_fit: "Size / fit",
    },
    review_reason: { presale: "presale", customized: "customised", cross_border: "cross-border", large_amount: "large amount", risk: "risk" },
    exception: {
      payment_failed: "Payment failed", address_incomplete: "Address incomplete", refused: "Refused",
      wrong_item: "Wrong item", missing_item: "Missing item", damaged: "Damaged", lost: "Lost", delayed: "Delayed",
      refund_failed: "Refund failed", instant_refund_disputed: "Instant refund disputed",
    },
    instant: { issued: "Refunded at the first scan", declined: "Waits for inspection" },
    instant_reason: {
      instant_refund_disabled: "Instant refund is off", nothing_to_refund: "Nothing to refund",
      too_few_completed_orders: "Too few completed orders", return_rate_too_high: "Return rate too high",
      disputed_returns_on_record: "A disputed return on record", amount_over_limit: "Over the amount limit",
      daily_limit_reached: "Daily limit reached",
    },
    resolution: { reship: "Reship", refund: "Refund", partial_refund: "Partial refund", compensation: "Compensation", contact_customer: "Contact customer" },
    alternative: { exchange: "Exchange", repair: "Repair", partial_refund: "Partial refund" },
    condition: { resellable: "Resellable", damaged: "Damaged", not_original: "Not the original item", missing: "Missing" },
    decision: { approve: "Approved", reject: "Rejected" },
    channel: { web: "Web", app: "App", mini_program: "Mini program", marketplace: "Marketplace" },
    payment: { alipay: "Alipay", wechat_pay: "WeChat Pay", card: "Card", balance: "Balance" },
    refund_method: { original_payment: "Original payment", balance: "Account balance" },
    payer: { buyer: "Buyer", merchant: "Seller" },
    role: { staff: "Staff", customer: "Buyer" },
    shipment_kind: { outbound: "Outbound", return: "Return parcel", reship: "Reship" },
    carrier: { sf: "SF Express", jd: "JD Logistics", ems: "EMS", yto: "YTO", zto: "ZTO", sto: "STO", yunda: "Yunda" },
    feedback_tag: {
      as_described: "As described", good_quality: "Good quality", good_value: "Good value", well_packed: "Well packed",
      fast_delivery: "Fast delivery", helpful_service: "Helpful service", not_as_described: "Not as described",
      poor_quality: "Poor quality", damaged: "Arrived damaged", late_delivery: "Late delivery",
      poor_packaging: "Poor packaging", unhelpful_service: "Unhelpful service",
    },
    adjustment: { received: "Received", returned: "Returned", write_off: "Write-off", damaged: "Damaged", count_correction: "Count correction" },
    flag: { perishable: "perishable", food: "food", intimate: "intimate", customized: "customised", presale: "presale", cross_border: "cross-border" },
    refund_reason: { return: "return", cancellation: "cancellation", staff: "staff", exception: "exception", instant_return: "instant refund" },
    tracking: {
      info_received: "Info received", in_transit: "In transit", out_for_delivery: "Out for delivery", delivered: "Delivered",
      failed_attempt: "Failed attempt", exception: "Exception", returned_to_sender: "Returned to sender", lost: "Lost", damaged: "Damaged",
      unmapped: "Carrier update",
    },
    event: {
      placed: "Placed", paid: "Paid", hold_for_review: "Held for review", approve: "Approved", reject: "Rejected",
      ship_all: "Shipped", ship_part: "Partly shipped", ship: "Parcel sent", deliver: "Delivered", receive: "Parcel received",
      inspect: "Inspected", refund: "Refund started", refunded: "Refunded", refund_requested: "Refund requested",
      refund_succeeded: "Refund succeeded", refund_failed: "Refund failed", return_requested: "Return requested",
      requested: "Requested", cancel: "Cancelled", complete: "Completed", hold: "Put on hold", resume: "Resumed",
      exception_opened: "Exception recorded", exception_resolved: "Exception resolved",
      instant_refund_issued: "Instant refund issued", instant_refund_declined: "Instant refund declined",
    },
    field: { reason: "reason", amount: "amount", carrier: "carrier", tracking_number: "tracking", shipment_id: "shipment", return_id: "return", refund_id: "refund", exception_id: "exception", kind: "kind", action: "action", refund: "refund", owed: "owed", shortfall: "shortfall", trust_lowered: "trust lowered", instant: "instant" },
  },
  zh: {
    status: {
      pending_payment: "待支付", under_review: "待审核", awaiting_fulfillment: "待拣货", partially_shipped: "部分发货",
      active: "启用", paused: "已暂停", failing: "失败中", retrying: "重试中", sending: "发送中", pending: "待发送",
      shipped: "已发货", delivered: "已签收", completed: "已完成", cancelled: "已取消", on_hold: "已挂起",
      requested: "已申请", approved: "已通过", rejected: "已拒绝", awaiting_parcel: "待寄回", in_transit: "运输中",
      received: "已收货", inspected: "已质检", refund_pending: "退款中", refunded: "已退款", closed: "已关闭",
      lapsed: "已失效", open: "未处理", resolved: "已处理", succeeded: "成功", failed: "失败", pending: "处理中",
    },
    kind: { order: "订单", return: "退货" },
    reason: {
      quality_issue: "质量问题", not_as_described: "与描述不符", wrong_item: "发错商品", damaged_in_transit: "运输损坏",
      missing_parts: "缺少配件", no_reason: "七天无理由", changed_mind: "不想要了", size_fit: "尺码不合适",
    },
    review_reason: { presale: "预售", customized: "定制", cross_border: "跨境", large_amount: "大额", risk: "风险" },
    exception: {
      payment_failed: "支付失败", address_incomplete: "地址不完整", refused: "拒收", wrong_item: "错发",
      missing_item: "漏发", damaged: "破损", lost: "丢件", delayed: "延误",
      refund_failed: "退款失败", instant_refund_disputed: "极速退款争议",
    },
    instant: { issued: "揽收即退款", declined: "验收后退款" },
    instant_reason: {
      instant_refund_disabled: "极速退款未开启", nothing_to_refund: "无可退金额",
      too_few_completed_orders: "完成订单不足", return_rate_too_high: "退货率过高",
      disputed_returns_on_record: "有过争议退货", amount_over_limit: "超过单笔限额",
      daily_limit_reached: "超过当日限额",
    },
    resolution: { reship: "补发", refund: "退款", partial_refund: "部分退款", compensation: "补偿", contact_customer: "联系客户" },
    alternative: { exchange: "换货", repair: "维修", partial_refund: "部分退款" },
    condition: { resellable: "可再售", damaged: "已损坏", not_original: "非原商品", missing: "缺失" },
    decision: { approve: "通过", reject: "拒绝" },
    channel: { web: "网站", app: "App", mini_program: "小程序", marketplace: "第三方平台" },
    payment: { alipay: "支付宝", wechat_pay: "微信支付", card: "银行卡", balance: "余额" },
    refund_method: { original_payment: "原路退回", balance: "退至余额" },
    payer: { buyer: "买家", merchant: "商家" },
    role: { staff: "客服", customer: "买家" },
    shipment_kind: { outbound: "发货", return: "退货包裹", reship: "补发" },
    carrier: { sf: "顺丰速运", jd: "京东物流", ems: "EMS", yto: "圆通", zto: "中通", sto: "申通", yunda: "韵达" },
    feedback_tag: {
      as_described: "与描述相符", good_quality: "质量好", good_value: "性价比高", well_packed: "包装完好",
      fast_delivery: "物流快", helpful_service: "服务周到", not_as_described: "与描述不符",
      poor_quality: "质量差", damaged: "到货破损", late_delivery: "物流慢",
      poor_packaging: "包装差", unhelpful_service: "服务差",
    },
    adjustment: { received: "入库", returned: "退货入库", write_off: "报损", damaged: "损坏", count_correction: "盘点修正" },
    flag: { perishable: "生鲜", food: "食品", intimate: "贴身用品", customized: "定制", presale: "预售", cross_border: "跨境" },
    refund_reason: { return: "退货", cancellation: "取消", staff: "客服", exception: "异常", instant_return: "极速退款" },
    tracking: {
      info_received: "已揽件信息", in_transit: "运输中", out_for_delivery: "派送中", delivered: "已签收",
      failed_attempt: "派送失败", exception: "异常", returned_to_sender: "退回寄件人", lost: "丢失", damaged: "破损",
      unmapped: "物流更新",
    },
    event: {
      placed: "下单", paid: "已支付", hold_for_review: "转人工审核", approve: "审核通过", reject: "审核拒绝",
      ship_all: "已发货", ship_part: "部分发货", ship: "买家寄回", deliver: "已签收", receive: "仓库收货",
      inspect: "已质检", refund: "发起退款", refunded: "已退款", refund_requested: "申请退款", refund_succeeded: "退款成功",
      refund_failed: "退款失败", return_requested: "申请退货", requested: "提交申请", cancel: "已取消", complete: "已完成",
      hold: "挂起", resume: "恢复", exception_opened: "登记异常", exception_resolved: "异常已处理",
      instant_refund_issued: "极速退款", instant_refund_declined: "不符合极速退款",
    },
    field: { reason: "原因", amount: "金额", carrier: "承运商", tracking_number: "运单号", shipment_id: "包裹", return_id: "退货", refund_id: "退款", exception_id: "异常", kind: "类型", action: "操作", refund: "退款", owed: "应退", shortfall: "多退", trust_lowered: "降低信任", instant: "极速退款" },
  },
};
groups.en.return_status = groups.en.status;
groups.zh.return_status = groups.zh.status;

export function currentLang() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === "en" || saved === "zh") return saved;
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function setLang(lang) {
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

export function locale() {
  return currentLang() === "zh" ? "zh-CN" : "en-GB";
}

function humanize(value) {
  return String(value ?? "").replace(/_/g, " ");
}

/** A label, with {name} placeholders filled from vars; the English one, or the key, when missing. */
export function t(key, vars) {
  const text = (currentLang() === "zh" ? zh[key] : en[key]) ?? en[key] ?? humanize(key);
  return vars ? text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? "")) : text;
}

/** The label of an API value (a status, a reason…): unknown values are shown as they come. */
export function label(group, value) {
  if (value === undefined || value === null || value === "") return "—";
  const table = groups[currentLang()][group] || {};
  return table[value] ?? groups.en[group]?.[value] ?? humanize(value);
}

document.documentElement.lang = currentLang() === "zh" ? "zh-CN" : "en";
